package io.sluice.session.control;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A connection to a stack's control socket ({@link ControlServer}). Requests go one at a time; each, and the
 * connect, has a deadline, after which the connection is closed and the call fails saying so. Errors name the
 * socket path and what to check. Not thread-safe.
 */
public final class ControlClient implements AutoCloseable {

    /** Where {@code bin/sluice ctl} looks when neither {@code -s} nor {@code $SLUICE_CLI_SOCKET} says otherwise. */
    public static final Path DEFAULT_SOCKET = Path.of("/run/sluice/cli.sock");
    /** The connect deadline when none is given. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
    /** The per-request deadline when none is given. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private static final int RUNNING = 0;
    private static final int DONE = 1;
    private static final int TIMED_OUT = 2;

    private final Path path;
    private final SocketChannel channel;
    private final Duration requestTimeout;

    private ControlClient(Path path, SocketChannel channel, Duration requestTimeout) {
        this.path = path;
        this.channel = channel;
        this.requestTimeout = requestTimeout;
    }

    /** Connects with the default deadlines; see {@link #connect(Path, Duration, Duration)}. */
    public static ControlClient connect(Path path) throws IOException {
        return connect(path, DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT);
    }

    /**
     * @param path the stack's control socket
     * @param connectTimeout the deadline for connecting
     * @param requestTimeout the deadline for each request, from sending to the whole reply
     * @return the connected client
     * @throws IOException naming the path: it does not exist, nothing listens (connection refused), access is
     *         denied, or the connect timed out
     */
    public static ControlClient connect(Path path, Duration connectTimeout, Duration requestTimeout)
            throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("no stack is listening on " + path + ": " + path + " does not exist (start one"
                    + " with bin/sluice stack, or give its socket with -s or $SLUICE_CLI_SOCKET)");
        }
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            withDeadline(channel, connectTimeout, "connecting to " + path, () -> {
                channel.connect(UnixDomainSocketAddress.of(path));
                return null;
            });
        } catch (IOException e) {
            channel.close();
            throw connectFailure(path, e);
        }
        return new ControlClient(path, channel, requestTimeout);
    }

    /** @return the socket path */
    public Path path() {
        return path;
    }

    /**
     * Sends a request and waits for its reply.
     *
     * @param request the request
     * @return the stack's reply; a {@link ControlReply.Failure} is a reply, not an exception
     * @throws IOException if the connection fails, the deadline passes or the reply is malformed
     */
    public ControlReply request(ControlRequest request) throws IOException {
        if (!channel.isOpen()) {
            throw new IOException("the control connection to " + path + " is closed (after a timeout or close)");
        }
        byte[] payload = ControlCodec.encode(request);
        ByteBuffer reply = withDeadline(channel, requestTimeout, "waiting for the stack's reply on " + path, () -> {
            Frames.write(channel, payload);
            return Frames.read(channel, ControlCodec.MAX_REPLY_BYTES, "reply");
        });
        if (reply == null) {
            throw new IOException("the stack closed the control connection on " + path + " without replying");
        }
        return ControlCodec.decodeReply(reply);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    @FunctionalInterface
    private interface IoCall<T> {
        T call() throws IOException;
    }

    /**
     * Runs a blocking call on the channel; a virtual thread closes the channel if the deadline passes first, which
     * ends the call. Whoever moves the state off RUNNING first decides whether it finished or timed out.
     */
    private static <T> T withDeadline(SocketChannel channel, Duration timeout, String what, IoCall<T> call)
            throws IOException {
        AtomicInteger state = new AtomicInteger(RUNNING);
        Thread watchdog = Thread.ofVirtual().name("sluice-ctl-deadline").start(() -> {
            try {
                Thread.sleep(timeout);
            } catch (InterruptedException e) {
                return;
            }
            if (state.compareAndSet(RUNNING, TIMED_OUT)) {
                try {
                    channel.close();
                } catch (IOException e) {
                    // the blocked call fails either way
                }
            }
        });
        try {
            T result = call.call();
            if (state.compareAndSet(RUNNING, DONE)) {
                return result;
            }
            throw timedOut(what, timeout);
        } catch (IOException e) {
            if (!state.compareAndSet(RUNNING, DONE)) {
                throw timedOut(what, timeout);
            }
            throw e;
        } finally {
            watchdog.interrupt();
        }
    }

    private static IOException timedOut(String what, Duration timeout) {
        return new IOException(what + " timed out after " + String.format(Locale.ROOT, "%.1f s",
                timeout.toMillis() / 1000.0));
    }

    private static IOException connectFailure(Path path, IOException e) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        String lower = message.toLowerCase(Locale.ROOT);
        if (lower.contains("connection refused")) {
            return new IOException("no stack is listening on " + path + " (connection refused)", e);
        }
        if (lower.contains("permission denied")) {
            return new IOException("cannot connect to " + path + ": permission denied (the control socket is for"
                    + " root and the group of unix { gid ... })", e);
        }
        if (lower.contains("no such file")) {
            return new IOException("no stack is listening on " + path + ": " + path + " does not exist", e);
        }
        if (lower.contains("timed out")) {
            return new IOException("no stack answered on " + path + ": " + message, e);
        }
        return new IOException("cannot connect to " + path + ": " + message, e);
    }
}
