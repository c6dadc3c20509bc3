package io.sluice.session.attach;

/** Closing what the attach protocol holds (sockets, descriptors, mappings) on paths that must not fail. */
final class Resources {

    private Resources() {}

    /** Closes a resource, if any, ignoring a failure: close(2) releases a descriptor even when it reports one. */
    static void closeQuietly(AutoCloseable resource) {
        if (resource == null) {
            return;
        }
        try {
            resource.close();
        } catch (Exception e) {
            // nothing more can be done; the resource is gone either way
        }
    }
}
