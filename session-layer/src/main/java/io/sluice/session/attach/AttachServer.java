package io.sluice.session.attach;

import io.sluice.core.config.StackConfig;
import io.sluice.core.sys.Epoll;
import io.sluice.core.sys.Errno;
import io.sluice.core.sys.EventFd;
import io.sluice.core.sys.Fds;
import io.sluice.core.sys.NativeFd;
import io.sluice.core.sys.SyscallException;
import io.sluice.core.sys.UnixSocket;
import io.sluice.session.control.ControlServer;
import io.sluice.session.control.SocketFiles;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The stack end of the attach protocol: a SEQPACKET Unix socket at a path ({@code session { app-socket-api PATH }})
 * where applications attach. One thread serves every connection through epoll: it accepts, reads one datagram at a
 * time, decodes it with {@link AttachCodec}, checks the namespace with the {@link NamespaceTable}, asks the
 * {@link AttachHandler} and replies, with descriptors (SCM_RIGHTS) when the reply has some.
 *
 * <p><b>Bad clients.</b> Whatever a client sends, the server answers it (an ERROR, or a refusal in the request's
 * own reply type, with a status and a message naming the sender's pid and what is wrong) and goes on serving it
 * and everyone else; no exception escapes the serving thread. Descriptors a client sends are closed. A client
 * that does not read its replies (its socket's queue full) is disconnected, so it cannot stall the others.
 *
 * <p><b>Disconnection.</b> When a connection closes, with DETACH or without (exit, crash, kill -9), the
 * application is detached through the handler, which frees its segment, queues and eventfds.
 *
 * <p><b>Socket file.</b> Made with mode {@value #DEFAULT_MODE_TEXT} unless told otherwise (only the stack's user
 * may attach); the mode is applied between bind and listen, so nobody connects under a wider umask mode. A socket
 * file left by a stack that died is replaced; one a live stack listens on is an error, as is a file that is not
 * a socket. Closing the server removes the file.
 */
public final class AttachServer implements AutoCloseable {

    /** Where the stack listens when {@code session { app-socket-api }} is not given. */
    public static final Path DEFAULT_PATH = Path.of(ControlServer.RUNTIME_DIRECTORY, "app.sock");
    /** The socket file's default permission bits: the owner only. */
    public static final int DEFAULT_MODE = 0600;
    static final String DEFAULT_MODE_TEXT = "0600";
    /** How many datagrams one connection may have served per wakeup before the others get their turn. */
    private static final int MESSAGES_PER_TURN = 16;
    /** Larger than any message, so an oversized one is seen whole and refused as TOO_LONG. */
    private static final int RECEIVE_BYTES = 64 << 10;
    private static final long LISTENER = 0;
    private static final long WAKEUP = 1;
    private static final Logger LOG = Logger.getLogger(AttachServer.class.getName());

    private final Path path;
    private final UnixSocket listener;
    private final NamespaceTable namespaces;
    private final AttachHandler handler;
    private final Epoll epoll;
    private final EventFd wakeup;
    private final Map<Long, Connection> connections = new ConcurrentHashMap<>();
    private final Thread thread;
    private final Queue<Pending> pending = new ConcurrentLinkedQueue<>();
    private long nextConnectionId = WAKEUP + 1;
    private volatile boolean closed;

    /** A notification handed to the serving thread, and how its sending ended. */
    private record Pending(int appIndex, AttachMessage message, List<NativeFd> fds, CompletableFuture<Boolean> sent) {
    }

    /** One connected application. */
    private static final class Connection {
        final long id;
        final UnixSocket socket;
        final UnixSocket.PeerCredentials peer;
        int appIndex = -1;

        Connection(long id, UnixSocket socket, UnixSocket.PeerCredentials peer) {
            this.id = id;
            this.socket = socket;
            this.peer = peer;
        }
    }

    private AttachServer(Path path, UnixSocket listener, NamespaceTable namespaces, AttachHandler handler,
            Epoll epoll, EventFd wakeup) {
        this.path = path;
        this.listener = listener;
        this.namespaces = namespaces;
        this.handler = handler;
        this.epoll = epoll;
        this.wakeup = wakeup;
        this.thread = Thread.ofPlatform().daemon().name("sluice-attach").unstarted(this::run);
    }

    /**
     * Listens on {@code path} and starts serving.
     *
     * @param path the socket path, at most {@link UnixSocket#MAX_PATH_BYTES} bytes
     * @param mode the socket file's permission bits, such as {@link #DEFAULT_MODE}
     * @throws IOException if the path is taken or the socket cannot be made
     */
    public static AttachServer start(Path path, int mode, NamespaceTable namespaces, AttachHandler handler)
            throws IOException {
        return start(path, mode, Optional.empty(), namespaces, handler);
    }

    /**
     * As {@link #start(Path, int, NamespaceTable, AttachHandler)}, the socket file owned by {@code group} (a name or
     * number, {@code unix { gid }}) when given, set with the mode before the socket listens.
     */
    public static AttachServer start(Path path, int mode, Optional<String> group, NamespaceTable namespaces,
            AttachHandler handler) throws IOException {
        if ((mode & ~0777) != 0) {
            throw new IllegalArgumentException("attach socket mode 0" + Integer.toOctalString(mode)
                    + " has bits beyond 0777");
        }
        Path absolute = path.toAbsolutePath();
        SocketFiles.removeStale(absolute, "attach socket", "session { app-socket-api ... }",
                AttachServer::accepts);
        Path parent = absolute.getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        UnixSocket listener = UnixSocket.open(UnixSocket.Type.SEQPACKET, true);
        Epoll epoll = null;
        EventFd wakeup = null;
        try {
            listener.bind(absolute.toString());
            // Connecting needs write permission on the file; set the mode before listen, so no connection is
            // accepted while the file still has the umask's mode.
            Files.setPosixFilePermissions(absolute, permissions(mode));
            if (group.isPresent()) {
                SocketFiles.setGroup(absolute, group.get(), "attach socket");
            }
            listener.listen(64);
            epoll = Epoll.create(64);
            wakeup = EventFd.create(0, EventFd.EFD_NONBLOCK | EventFd.EFD_CLOEXEC);
            epoll.add(listener.fd(), Epoll.EPOLLIN, LISTENER);
            epoll.add(wakeup.fd(), Epoll.EPOLLIN, WAKEUP);
        } catch (IOException | RuntimeException e) {
            Resources.closeQuietly(wakeup);
            Resources.closeQuietly(epoll);
            Resources.closeQuietly(listener);
            Files.deleteIfExists(absolute);
            throw new IOException("cannot listen on attach socket " + absolute + ": " + e.getMessage(), e);
        }
        AttachServer server = new AttachServer(absolute, listener, namespaces, handler, epoll, wakeup);
        server.thread.start();
        return server;
    }

    /**
     * Starts the server the {@code session} section asks for: at {@code app-socket-api} (a relative path is taken
     * under {@value ControlServer#RUNTIME_DIRECTORY}; {@link #DEFAULT_PATH} when absent) with
     * {@code app-socket-mode}.
     */
    public static AttachServer start(StackConfig.Session session, NamespaceTable namespaces, AttachHandler handler)
            throws IOException {
        return start(session, Optional.empty(), namespaces, handler);
    }

    /** As {@link #start(StackConfig.Session, NamespaceTable, AttachHandler)}, the file owned by {@code group}. */
    public static AttachServer start(StackConfig.Session session, Optional<String> group, NamespaceTable namespaces,
            AttachHandler handler) throws IOException {
        Path path = session.appSocketApi().map(Path.of(ControlServer.RUNTIME_DIRECTORY)::resolve)
                .orElse(DEFAULT_PATH);
        return start(path, session.appSocketMode(), group, namespaces, handler);
    }

    /** @return the socket's path */
    public Path path() {
        return path;
    }

    /**
     * Sends a notification (SEGMENT_ADD with its memfd, SEGMENT_REMOVE, CHANNEL_ADD with its descriptors,
     * CHANNEL_REMOVE) to an attached application, from any
     * thread: the serving thread sends it between requests, so it never splits a request from its reply.
     *
     * @param fds the descriptors the notification lists; the caller keeps owning them, and may close them once
     *     the result is complete
     * @return completes with true once sent, false if the application is not connected (or the server closed)
     */
    public CompletableFuture<Boolean> notifyApplication(int appIndex, AttachMessage notification,
            List<NativeFd> fds) {
        boolean isNotice = notification instanceof AttachMessage.SegmentAdd
                || notification instanceof AttachMessage.SegmentRemove
                || notification instanceof AttachMessage.ChannelAdd
                || notification instanceof AttachMessage.ChannelRemove;
        if (!isNotice) {
            throw new IllegalArgumentException("only SEGMENT_ADD/REMOVE and CHANNEL_ADD/REMOVE are notifications, not "
                    + AttachCodec.typeName(AttachCodec.typeOf(notification)));
        }
        Pending notice = new Pending(appIndex, notification, List.copyOf(fds), new CompletableFuture<>());
        pending.add(notice);
        try {
            wakeup.write(1);
        } catch (SyscallException | IllegalStateException e) {
            notice.sent().complete(false); // the server has stopped
        }
        if (closed) {
            failPending();
        }
        return notice.sent();
    }

    /** @return how many connections are open */
    public int connectionCount() {
        return connections.size();
    }

    /** Stops serving: closes every connection (detaching its application), the socket and its file. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            wakeup.write(1);
        } catch (SyscallException | IllegalStateException e) {
            // the serving thread already ended and closed it
        }
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Files.deleteIfExists(path);
    }

    private void run() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment receive = arena.allocate(RECEIVE_BYTES, 8);
            MemorySegment send = arena.allocate(AttachCodec.MAX_MESSAGE_BYTES, 8);
            while (!closed) {
                int ready = epoll.waitFor(-1);
                for (int i = 0; i < ready && !closed; i++) {
                    long data = epoll.data(i);
                    if (data == LISTENER) {
                        acceptAll();
                    } else if (data == WAKEUP) {
                        wakeup.read();
                        sendPending(send);
                    } else {
                        Connection connection = connections.get(data);
                        if (connection != null) {
                            serveGuarded(connection, receive, send);
                        }
                    }
                }
            }
        } catch (Throwable t) {
            // Only a failure of epoll itself gets here: nothing a client sends can.
            LOG.log(Level.SEVERE, "the attach server on " + path + " stopped", t);
        } finally {
            for (Connection connection : List.copyOf(connections.values())) {
                drop(connection);
            }
            failPending();
            Resources.closeQuietly(listener);
            Resources.closeQuietly(epoll);
            Resources.closeQuietly(wakeup);
        }
    }

    private void sendPending(MemorySegment send) {
        for (Pending notice = pending.poll(); notice != null; notice = pending.poll()) {
            Connection target = null;
            for (Connection connection : connections.values()) {
                if (connection.appIndex == notice.appIndex()) {
                    target = connection;
                }
            }
            try {
                if (target != null) {
                    reply(target, send, notice.message(), notice.fds());
                }
                notice.sent().complete(target != null && connections.containsKey(target.id));
            } catch (RuntimeException e) {
                notice.sent().completeExceptionally(e); // the caller's notification was bad; the server goes on
            }
        }
    }

    private void failPending() {
        for (Pending notice = pending.poll(); notice != null; notice = pending.poll()) {
            notice.sent().complete(false);
        }
    }

    private void acceptAll() {
        while (true) {
            UnixSocket socket;
            try {
                socket = listener.accept();
            } catch (SyscallException e) {
                return; // e.g. the client gave up before we accepted; the others are still served
            }
            if (socket == null) {
                return;
            }
            try {
                socket.fd().setNonBlocking(true);
                Connection connection = new Connection(nextConnectionId++, socket, socket.peerCredentials());
                epoll.add(socket.fd(), Epoll.EPOLLIN, connection.id);
                connections.put(connection.id, connection);
            } catch (SyscallException e) {
                Resources.closeQuietly(socket);
            }
        }
    }

    /** Serves a connection; a failure nobody foresaw ends that connection, never the server. */
    private void serveGuarded(Connection connection, MemorySegment receive, MemorySegment send) {
        try {
            serve(connection, receive, send);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "serving the application of pid " + connection.peer.pid() + " failed; "
                    + "disconnecting it", e);
            drop(connection);
        }
    }

    /** Serves the datagrams a connection has ready, a few at a time so that one client cannot hog the thread. */
    private void serve(Connection connection, MemorySegment receive, MemorySegment send) {
        for (int i = 0; i < MESSAGES_PER_TURN && connections.containsKey(connection.id); i++) {
            UnixSocket.Received received;
            try {
                received = connection.socket.receiveWithFds(receive, UnixSocket.MAX_FDS);
            } catch (SyscallException e) {
                drop(connection); // reset by the peer
                return;
            } catch (IOException e) {
                // Truncated by the kernel: too large, or too many descriptors (those that came are closed).
                AttachStatus status = e.getMessage().contains("MSG_CTRUNC") ? AttachStatus.UNEXPECTED_FDS
                        : AttachStatus.TOO_LONG;
                reply(connection, send, new AttachMessage.Error(status, "message from pid " + connection.peer.pid()
                        + ": " + e.getMessage()), List.of());
                continue;
            }
            if (received.bytes() == Fds.WOULD_BLOCK) {
                return;
            }
            if (received.bytes() == 0) {
                drop(connection); // closed (an empty datagram reads the same and is taken as the end)
                return;
            }
            ByteBuffer datagram = receive.asSlice(0, received.bytes()).asByteBuffer();
            if (!received.fds().isEmpty()) {
                received.fds().forEach(Resources::closeQuietly);
                reply(connection, send, new AttachMessage.Error(AttachStatus.UNEXPECTED_FDS,
                        AttachCodec.describe(datagram) + " from pid " + connection.peer.pid() + ": carried "
                        + received.fds().size() + " descriptors; requests carry none, so they were closed"),
                        List.of());
                continue;
            }
            handle(connection, datagram, send); // may drop the connection: DETACH, or a reply it would not take
        }
    }

    private void handle(Connection connection, ByteBuffer datagram, MemorySegment send) {
        String from = AttachCodec.describe(datagram) + " from pid " + connection.peer.pid();
        AttachMessage request;
        try {
            request = AttachCodec.decode(datagram, "this stack");
        } catch (AttachException e) {
            reply(connection, send, new AttachMessage.Error(e.status(), from + ": " + e.getMessage()), List.of());
            return;
        }
        try {
            switch (request) {
                case AttachMessage.Attach attach -> {
                    if (connection.appIndex >= 0) {
                        throw new AttachException(AttachStatus.ALREADY_ATTACHED, "this connection is attached "
                                + "already, as application " + connection.appIndex);
                    }
                    String namespace = namespaces.check(attach.namespaceId(), attach.namespaceSecret());
                    AttachHandler.Grant<AttachMessage.AttachReply> grant = handler.attach(attach, namespace,
                            connection.peer);
                    connection.appIndex = grant.reply().appIndex();
                    reply(connection, send, grant.reply(), grant.fds());
                }
                case AttachMessage.AddWorker add -> {
                    AttachHandler.Grant<AttachMessage.AddWorkerReply> grant = handler.addWorker(attached(
                            connection));
                    reply(connection, send, grant.reply(), grant.fds());
                }
                case AttachMessage.DelWorker del -> {
                    handler.delWorker(attached(connection), del.workerIndex());
                    reply(connection, send, new AttachMessage.DelWorkerReply(AttachStatus.OK, "worker "
                            + del.workerIndex() + " removed", del.workerIndex()), List.of());
                }
                case AttachMessage.Detach detach -> drop(connection);
                default -> throw new AttachException(AttachStatus.UNEXPECTED_MESSAGE,
                        "the stack sends this message type; it does not take it");
            }
        } catch (AttachException e) {
            reply(connection, send, refusal(request, e.status(), from + ": " + e.getMessage()), List.of());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, from + " failed in the stack", e);
            reply(connection, send, refusal(request, AttachStatus.INTERNAL, from + ": the stack failed: " + e),
                    List.of());
        }
    }

    private static int attached(Connection connection) throws AttachException {
        if (connection.appIndex < 0) {
            throw new AttachException(AttachStatus.NOT_ATTACHED, "send ATTACH first; this connection has no "
                    + "application yet");
        }
        return connection.appIndex;
    }

    /** A refusal in the request's own reply type, so the client's waiting call gets it; ERROR otherwise. */
    private static AttachMessage refusal(AttachMessage request, AttachStatus status, String message) {
        return switch (request) {
            case AttachMessage.Attach r -> AttachMessage.AttachReply.refused(status, message);
            case AttachMessage.AddWorker r -> AttachMessage.AddWorkerReply.refused(status, message);
            case AttachMessage.DelWorker r -> new AttachMessage.DelWorkerReply(status, message, r.workerIndex());
            default -> new AttachMessage.Error(status, message);
        };
    }

    /** Sends a reply; a client that cannot take it (gone, or not reading) is disconnected. */
    private void reply(Connection connection, MemorySegment send, AttachMessage message, List<NativeFd> fds) {
        byte[] bytes = AttachCodec.encode(message);
        MemorySegment datagram = send.asSlice(0, bytes.length);
        MemorySegment.copy(bytes, 0, datagram, ValueLayout.JAVA_BYTE, 0, bytes.length);
        try {
            long sent = fds.isEmpty() ? connection.socket.send(datagram)
                    : connection.socket.sendWithFds(datagram, fds);
            if (sent == Fds.WOULD_BLOCK) {
                LOG.warning("application of pid " + connection.peer.pid() + " does not read its attach socket;"
                        + " disconnecting it");
                drop(connection);
            }
        } catch (SyscallException e) {
            if (e.errno() != Errno.EPIPE && e.errno() != Errno.ECONNRESET) {
                LOG.log(Level.WARNING, "reply to pid " + connection.peer.pid() + " failed", e);
            }
            drop(connection);
        }
    }

    /** Closes a connection and detaches its application, freeing what the handler made for it. */
    private void drop(Connection connection) {
        if (!connections.containsKey(connection.id)) {
            return;
        }
        try {
            epoll.delete(connection.socket.fd());
        } catch (SyscallException | RuntimeException e) {
            // closing the descriptor removes it from the epoll set anyway
        }
        Resources.closeQuietly(connection.socket);
        if (connection.appIndex >= 0) {
            try {
                handler.detach(connection.appIndex);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "detaching application " + connection.appIndex + " failed", e);
            }
        }
        connections.remove(connection.id); // last, so connectionCount() drops once everything is closed
    }

    /** @return whether a stack accepts on the SEQPACKET socket at {@code path} */
    private static boolean accepts(Path path) throws IOException {
        try (UnixSocket probe = UnixSocket.open(UnixSocket.Type.SEQPACKET, false)) {
            probe.connect(path.toString());
            return true;
        } catch (SyscallException e) {
            if (e.errno() == Errno.ECONNREFUSED) {
                return false;
            }
            throw e;
        }
    }

    /** @return the permissions of a mode's low nine bits */
    static Set<PosixFilePermission> permissions(int mode) {
        PosixFilePermission[] byBit = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ,
        };
        Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
        for (int bit = 0; bit < byBit.length; bit++) {
            if ((mode & (1 << bit)) != 0) {
                permissions.add(byBit[bit]);
            }
        }
        return permissions;
    }
}
