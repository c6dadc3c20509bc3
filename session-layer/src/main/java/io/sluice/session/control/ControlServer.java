package io.sluice.session.control;

import io.sluice.core.config.StackConfig;
import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The stack's control socket: a Unix domain stream socket at a path (VPP's {@code cli-listen}), mode 0660 and
 * optionally owned by a group ({@code unix { gid ... }}). One daemon thread accepts; each connection gets a
 * virtual thread that reads a request, calls the {@link ControlHandler} and writes the reply, one request at a
 * time. The handler runs for one request at a time over all connections. A malformed request or a handler
 * failure becomes a {@link ControlReply.Failure} and the connection stays open; only a frame over the size limit
 * (after which the stream cannot be trusted) closes it, after its failure reply.
 *
 * <p>This is the control path, not the data path: it uses the JDK's Unix domain channels and allocates freely.
 */
public final class ControlServer implements AutoCloseable {

    /** Where a relative {@code cli-listen} path is taken from. */
    public static final String RUNTIME_DIRECTORY = "/run/sluice";

    /** The most connections served at once; more are told so and closed. */
    public static final int MAX_CONNECTIONS = 16;

    private final Path path;
    private final ServerSocketChannel server;
    private final ControlHandler handler;
    private final ReentrantLock handlerLock = new ReentrantLock();
    private final Set<SocketChannel> connections = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private volatile boolean closed;

    private ControlServer(Path path, ServerSocketChannel server, ControlHandler handler) {
        this.path = path;
        this.server = server;
        this.handler = handler;
        this.acceptor = Thread.ofPlatform().daemon().name("sluice-ctl-accept").unstarted(this::acceptLoop);
    }

    /**
     * Listens on {@code path}. A socket file left by a stack that died is replaced; a socket another stack still
     * listens on is an error, as is a file there that is not a socket.
     *
     * @param path the socket path (at most 107 bytes)
     * @param group the group to own the socket file ({@code unix { gid ... }}), a name or a number, if any
     * @param handler serves the requests
     * @return the running server
     * @throws IOException if the path is taken, the group unknown, or the socket cannot be made
     */
    public static ControlServer start(Path path, Optional<String> group, ControlHandler handler) throws IOException {
        Path absolute = path.toAbsolutePath();
        SocketFiles.removeStale(absolute, "control socket", "unix { cli-listen ... }", ControlServer::accepts);
        Path parent = absolute.getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(absolute), MAX_CONNECTIONS);
        } catch (IOException e) {
            server.close();
            throw new IOException("cannot listen on control socket " + absolute + ": " + e.getMessage(), e);
        }
        try {
            // Until this chmod the file has the umask's mode; connecting needs write permission, which the usual
            // umask (022) gives only the owner, so nobody else gets in meanwhile.
            Files.setPosixFilePermissions(absolute, PosixFilePermissions.fromString("rw-rw----"));
            if (group.isPresent()) {
                SocketFiles.setGroup(absolute, group.get(), "control socket");
            }
        } catch (IOException | RuntimeException e) {
            server.close();
            Files.deleteIfExists(absolute);
            throw e;
        }
        ControlServer control = new ControlServer(absolute, server, handler);
        control.acceptor.start();
        return control;
    }

    /**
     * Starts the server the {@code unix} section asks for: at {@code cli-listen} (a relative path is taken under
     * {@value #RUNTIME_DIRECTORY}), owned by {@code gid} when given.
     *
     * @param unix the {@code unix} section of {@code startup.conf}
     * @param handler serves the requests
     * @return the running server, or empty when there is no {@code cli-listen}
     * @throws IOException as {@link #start(Path, Optional, ControlHandler)}, or for a {@code host:port} address,
     *         which Sluice does not serve (a TCP CLI would be open to anyone who can reach the port)
     */
    public static Optional<ControlServer> start(StackConfig.Unix unix, ControlHandler handler) throws IOException {
        if (unix.cliListen().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(start(socketPath(unix.cliListen().get()), unix.gid(), handler));
    }

    /**
     * @param cliListen the value of {@code unix { cli-listen ... }}
     * @return the socket path it names
     * @throws IOException for a {@code host:port} address
     */
    public static Path socketPath(String cliListen) throws IOException {
        if (!cliListen.contains("/") && cliListen.matches(".*:[0-9]+")) {
            throw new IOException("unix { cli-listen " + cliListen + " }: a TCP CLI is not supported; give a Unix"
                    + " socket path such as " + RUNTIME_DIRECTORY + "/cli.sock");
        }
        return Path.of(RUNTIME_DIRECTORY).resolve(cliListen);
    }

    /** @return the socket path */
    public Path path() {
        return path;
    }

    /** Stops accepting, closes every connection, waits for the accepting thread and removes the socket file. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        server.close();
        for (SocketChannel connection : connections) {
            closeQuietly(connection);
        }
        try {
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Files.deleteIfExists(path);
    }

    /** @return whether a stack accepts on the stream socket at {@code path} */
    private static boolean accepts(Path path) throws IOException {
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(path));
            return true;
        } catch (ConnectException e) {
            return false;
        }
    }

    private void acceptLoop() {
        while (!closed) {
            SocketChannel connection;
            try {
                connection = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                continue; // e.g. the peer went away during accept; keep serving the others
            }
            if (connections.size() >= MAX_CONNECTIONS) {
                refuse(connection);
                continue;
            }
            connections.add(connection);
            if (closed) { // close() may have swept the set before this connection joined it
                closeQuietly(connection);
                return;
            }
            Thread.ofVirtual().name("sluice-ctl-connection").start(() -> serve(connection));
        }
    }

    private void refuse(SocketChannel connection) {
        try (connection) {
            Frames.write(connection, ControlCodec.encode(ControlReply.failure("the stack already serves "
                    + MAX_CONNECTIONS + " control connections; try again later")));
        } catch (IOException e) {
            // the client gave up first
        }
    }

    private void serve(SocketChannel connection) {
        try (connection) {
            while (!closed) {
                ByteBuffer payload;
                try {
                    payload = Frames.read(connection, ControlCodec.MAX_REQUEST_BYTES, "request");
                } catch (Frames.OversizedFrameException e) {
                    Frames.write(connection, ControlCodec.encode(ControlReply.failure(e.getMessage())));
                    return;
                }
                if (payload == null) {
                    return;
                }
                Frames.write(connection, replyTo(payload));
            }
        } catch (IOException e) {
            // the client went away or broke the framing; its connection ends, the server goes on
        } finally {
            connections.remove(connection);
        }
    }

    private byte[] replyTo(ByteBuffer payload) throws ControlProtocolException {
        ControlReply reply;
        try {
            ControlRequest request = ControlCodec.decodeRequest(payload);
            reply = handleOne(request);
        } catch (ControlProtocolException e) {
            reply = ControlReply.failure(e.getMessage());
        }
        try {
            return ControlCodec.encode(reply);
        } catch (ControlProtocolException e) {
            return ControlCodec.encode(ControlReply.failure("the stack's reply could not be sent: " + e.getMessage()));
        }
    }

    private ControlReply handleOne(ControlRequest request) {
        handlerLock.lock();
        try {
            ControlReply reply = handler.handle(request);
            if (reply == null) {
                return ControlReply.failure("the stack has no answer to " + describe(request));
            }
            return reply;
        } catch (Exception | LinkageError | AssertionError e) {
            String message = e.getMessage();
            return ControlReply.failure(message == null || message.isEmpty()
                    ? describe(request) + " failed: " + e.getClass().getName() : message);
        } finally {
            handlerLock.unlock();
        }
    }

    private static String describe(ControlRequest request) {
        return request.getClass().getSimpleName();
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
