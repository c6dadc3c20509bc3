package io.sluice.session.segment;

import io.sluice.core.sys.MemFd;
import io.sluice.core.sys.NativeFd;
import io.sluice.core.sys.SyscallException;

/** The memfds behind shared segments: made here so every segment the stack maps is sealed the same way. */
public final class SegmentFiles {

    private SegmentFiles() {}

    /**
     * A memfd of {@code size} bytes that the other process cannot shrink under the stack's mapping: touching pages
     * it cut off would raise SIGBUS in the stack and kill it.
     *
     * @param name shown in /proc/PID/fd as {@code /memfd:name}
     */
    public static NativeFd createSealed(String name, long size) throws SyscallException {
        NativeFd memfd = MemFd.create(name, MemFd.MFD_CLOEXEC | MemFd.MFD_ALLOW_SEALING);
        try {
            MemFd.truncate(memfd, size);
            MemFd.addSeals(memfd, MemFd.F_SEAL_SHRINK);
            return memfd;
        } catch (SyscallException | RuntimeException e) {
            try {
                memfd.close();
            } catch (Exception ignored) {
                // the descriptor is released either way; the first failure is the one to report
            }
            throw e;
        }
    }

    /**
     * Closes a segment's mapping or memfd, if any, on a path that must not fail: munmap and close(2) release the
     * resource even when they report a failure, so there is nothing more to do about one.
     */
    public static void closeQuietly(AutoCloseable resource) {
        if (resource == null) {
            return;
        }
        try {
            resource.close();
        } catch (Exception e) {
            // released either way
        }
    }
}
