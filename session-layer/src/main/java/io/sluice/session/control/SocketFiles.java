package io.sluice.session.control;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The socket files the stack listens on (the control socket, the attach socket): what to do with one that is
 * already there when the stack starts.
 */
public final class SocketFiles {

    /** Tries to connect to the socket at a path: whether a live process still accepts on it. */
    @FunctionalInterface
    public interface ListenerProbe {
        /**
         * @return true if a connection was accepted, false if refused (nobody listens)
         * @throws IOException when neither can be told
         */
        boolean accepts(Path path) throws IOException;
    }

    private SocketFiles() {}

    /**
     * Clears the way for a new socket at {@code path}: a socket file nobody accepts on (left by a stack that died)
     * is removed; one a live process listens on, or a file that is not a socket, is an error.
     *
     * @param what the socket's name in messages, e.g. {@code "control socket"}
     * @param setting the configuration that chooses the path, e.g. {@code "unix { cli-listen ... }"}
     * @throws IOException saying which of those it is
     */
    public static void removeStale(Path path, String what, String setting, ListenerProbe probe) throws IOException {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return;
        }
        if (!attributes.isOther()) {
            throw new IOException(what + " path " + path + " exists and is not a socket; remove it or choose another "
                    + setting);
        }
        boolean accepts;
        try {
            accepts = probe.accepts(path);
        } catch (IOException e) {
            throw new IOException("cannot tell whether a stack listens on " + what + " " + path + ": "
                    + e.getMessage(), e);
        }
        if (accepts) {
            throw new IOException("another stack is listening on " + what + " " + path + "; stop it or choose another "
                    + setting);
        }
        Files.deleteIfExists(path); // nobody accepts on it: a stack died without removing it
    }

    /**
     * Gives a socket file to a group ({@code unix { gid ... }}), so its members may connect when the mode allows it.
     *
     * @param what the socket, for the error: {@code control socket}, {@code attach socket}
     * @throws IOException naming the group when there is no such group
     */
    public static void setGroup(Path path, String group, String what) throws IOException {
        GroupPrincipal principal;
        try {
            principal = path.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(group);
        } catch (UserPrincipalNotFoundException e) {
            throw new IOException("unix { gid " + group + " }: no such group, for " + what + " " + path, e);
        }
        Files.getFileAttributeView(path, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).setGroup(principal);
    }
}
