package io.sluice.comms.net;

import io.sluice.comms.Sluice;
import io.sluice.comms.SluiceAddresses;
import io.sluice.session.app.AppSession;
import io.sluice.session.app.AppWorker;
import io.sluice.session.app.SessionException;
import io.sluice.session.msg.SessionMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketImpl;
import java.net.SocketOption;
import java.net.SocketOptions;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.Lock;
import java.util.function.BooleanSupplier;
import jdk.net.ExtendedSocketOptions;

/**
 * The {@link SocketImpl} of a {@link SluiceSocket}: one session on a shared worker of the application
 * ({@link Sluice#sharedWorker()}), so any thread may read, write or close it. Every call holds the worker's lock;
 * a call that must wait (connect, a read with nothing to read, a write into a full FIFO) waits in
 * {@link AppWorker#waitUntil}, which lets other threads in meanwhile. {@link #close()} from another thread wakes
 * such a waiter, which then fails with "Socket closed".
 */
final class SluiceSocketImpl extends SharedWorkerSocketImpl {

    /** How much longer than the connect timeout the stack's answer is waited for. */
    private static final int CONNECT_REPLY_MARGIN_MILLIS = 2_000;
    /** Linux's keepalive defaults, used until the extended options set others. */
    private static final int DEFAULT_KEEPALIVE_IDLE_SECONDS = 7_200;
    private static final int DEFAULT_KEEPALIVE_INTERVAL_SECONDS = 75;
    private static final int DEFAULT_KEEPALIVE_PROBES = 9;

    private static final Set<SocketOption<?>> OPTIONS = Set.of(StandardSocketOptions.TCP_NODELAY,
            StandardSocketOptions.SO_KEEPALIVE, StandardSocketOptions.SO_LINGER, StandardSocketOptions.SO_SNDBUF,
            StandardSocketOptions.SO_RCVBUF, StandardSocketOptions.SO_REUSEADDR, StandardSocketOptions.IP_TOS,
            ExtendedSocketOptions.TCP_KEEPIDLE, ExtendedSocketOptions.TCP_KEEPINTERVAL,
            ExtendedSocketOptions.TCP_KEEPCOUNT);

    private AppSession session;
    private int localBindAddress;
    private int soTimeoutMillis;
    private boolean noDelay;
    private boolean keepAlive;
    private int keepAliveIdleSeconds = DEFAULT_KEEPALIVE_IDLE_SECONDS;
    private int keepAliveIntervalSeconds = DEFAULT_KEEPALIVE_INTERVAL_SECONDS;
    private int keepAliveProbes = DEFAULT_KEEPALIVE_PROBES;
    /** SO_LINGER in seconds, -1 when off. */
    private int lingerSeconds = -1;
    private int requestedSendBuffer;
    private int requestedReceiveBuffer;
    private boolean reuseAddress;
    private int trafficClass;
    private final SessionInput input = new SessionInput();
    private final SessionOutput output = new SessionOutput();
    /** What a blocked read or write waits for, made once so a wait allocates nothing. */
    private final BooleanSupplier readableOrEnded = () -> closed || session.readableBytes() > 0
            || session.isPeerClosed() || session.resetStatus() != null || session.isCleanedUp();
    private final BooleanSupplier writableOrEnded = () -> closed || session.writableBytes() > 0
            || session.resetStatus() != null || session.isCleanedUp();

    SluiceSocketImpl(Sluice sluice) {
        super(sluice);
    }

    // ------------------------------------------------------------------------------------------------ opening

    @Override
    protected void connect(String host, int port) throws IOException {
        connect(new InetSocketAddress(host, port), 0);
    }

    @Override
    protected void connect(InetAddress address, int port) throws IOException {
        connect(new InetSocketAddress(address, port), 0);
    }

    @Override
    protected void connect(SocketAddress endpoint, int timeoutMillis) throws IOException {
        if (!(endpoint instanceof InetSocketAddress remote)) {
            throw new IllegalArgumentException("connect: " + endpoint + " is not an InetSocketAddress");
        }
        if (remote.isUnresolved()) {
            throw new UnknownHostException(remote.getHostName());
        }
        int remoteBits = SluiceAddresses.bits(remote.getAddress());
        String what = "connecting to " + remote;
        Lock held = lockNewWorker();
        try {
            int context = worker.requestConnect(remoteBits, remote.getPort(), timeoutMillis,
                    SessionMessage.FLAG_SCOPE_LOCAL | SessionMessage.FLAG_SCOPE_GLOBAL, localBindAddress);
            int waitMillis = timeoutMillis == 0 ? FOREVER_MILLIS : timeoutMillis + CONNECT_REPLY_MARGIN_MILLIS;
            boolean answered = worker.waitUntil(() -> closed || worker.hasReply(context), waitMillis);
            if (closed || !answered) {
                worker.abandonConnect(context);
                if (closed) {
                    throw SocketErrors.closed();
                }
                throw new SocketTimeoutException(what + ": the stack did not answer within " + waitMillis + " ms");
            }
            session = worker.connected(context);
            address = remote.getAddress();
            port = remote.getPort();
            localport = session.localPort();
            applyOptions();
        } catch (SessionException e) {
            throw SocketErrors.of(what, e);
        } finally {
            held.unlock();
        }
    }

    /** The accepting side: {@code accepted} came in on {@code listenerWorker}'s listener. */
    void accepted(AppWorker listenerWorker, AppSession accepted) throws IOException {
        worker = listenerWorker;
        lock = listenerWorker.lock();
        session = accepted;
        address = SluiceAddresses.inet(accepted.remoteAddress());
        port = accepted.remotePort();
        localport = accepted.localPort();
        try {
            applyOptions();
        } catch (SessionException e) {
            throw SocketErrors.of("setting options of " + accepted, e);
        }
    }

    /** Options set before the session existed, given to the stack now that it does (lock held). */
    private void applyOptions() throws IOException {
        if (noDelay) {
            session.setNoDelay(true, REPLY_TIMEOUT_MILLIS);
        }
        if (keepAlive) {
            applyKeepAlive();
        }
    }

    private void applyKeepAlive() throws IOException {
        session.setKeepalive(keepAlive, keepAliveIdleSeconds, keepAliveIntervalSeconds, keepAliveProbes,
                REPLY_TIMEOUT_MILLIS);
    }

    @Override
    protected void bind(InetAddress host, int port) throws IOException {
        if (port != 0) {
            throw new SocketException("Sluice picks a connecting socket's local port; binding to port " + port
                    + " is not supported (bind to port 0, or only choose the address)");
        }
        localBindAddress = SluiceAddresses.bits(host);
    }

    @Override
    protected void listen(int backlog) throws IOException {
        throw new SocketException("listen on a client socket: use SluiceServerSocket");
    }

    @Override
    protected void accept(SocketImpl s) throws IOException {
        throw new SocketException("accept on a client socket: use SluiceServerSocket");
    }

    // ------------------------------------------------------------------------------------------------ streams

    @Override
    protected InputStream getInputStream() {
        return input;
    }

    @Override
    protected OutputStream getOutputStream() {
        return output;
    }

    @Override
    protected int available() throws IOException {
        lockOpen();
        try {
            return session.readableBytes();
        } finally {
            lock.unlock();
        }
    }

    /** Reads what has come, waiting for at least one byte up to SO_TIMEOUT (none: for ever). */
    int read(byte[] destination, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, destination.length);
        if (length == 0) {
            return 0;
        }
        lockOpen();
        try {
            long deadline = System.nanoTime() + soTimeoutMillis * 1_000_000L;
            while (true) {
                int n = session.read(destination, offset, length);
                if (n != 0) {
                    return n;
                }
                worker.waitUntil(readableOrEnded, waitMillis(soTimeoutMillis, deadline, "Read on " + session));
                if (closed) {
                    throw SocketErrors.closed();
                }
            }
        } catch (SessionException e) {
            throw SocketErrors.of("reading " + session, e);
        } finally {
            lock.unlock();
        }
    }

    /** Writes every byte, waiting for room in the tx FIFO as long as it takes (as a kernel socket's write does). */
    void write(byte[] source, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, source.length);
        lockOpen();
        try {
            int done = 0;
            while (done < length) {
                done += session.write(source, offset + done, length - done);
                if (done < length) {
                    worker.waitUntil(writableOrEnded, FOREVER_MILLIS);
                    if (closed) {
                        throw SocketErrors.closed();
                    }
                }
            }
        } catch (SessionException e) {
            throw SocketErrors.of("writing " + session, e);
        } finally {
            lock.unlock();
        }
    }

    @Override
    protected void shutdownInput() throws IOException {
        lockOpen();
        try {
            session.shutdownRead(REPLY_TIMEOUT_MILLIS);
        } catch (SessionException e) {
            throw SocketErrors.of("shutting down input of " + session, e);
        } finally {
            lock.unlock();
        }
    }

    @Override
    protected void shutdownOutput() throws IOException {
        lockOpen();
        try {
            session.shutdownWrite(REPLY_TIMEOUT_MILLIS);
        } catch (SessionException e) {
            throw SocketErrors.of("shutting down output of " + session, e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Closing: FIN after what was written (with SO_LINGER n, after waiting up to n seconds for it to be
     * acknowledged), or RST with SO_LINGER 0; threads blocked on the socket wake and fail with "Socket closed".
     */
    @Override
    void release() throws IOException {
        if (session == null) {
            return; // closed while connecting: the connect gives its request up
        }
        try {
            if (lingerSeconds == 0) {
                session.abort();
                return;
            }
            if (lingerSeconds > 0) {
                worker.waitUntil(() -> session.unsentBytes() == 0 || session.resetStatus() != null,
                        lingerSeconds * 1_000);
            }
            session.close();
        } catch (SessionException e) {
            throw SocketErrors.of("closing " + session, e);
        }
    }

    boolean isClosed() {
        return closed;
    }

    private void lockOpen() throws IOException {
        if (lock == null) {
            throw new SocketException(closed ? "Socket closed" : "Socket is not connected");
        }
        lock.lock();
        if (closed) {
            lock.unlock();
            throw SocketErrors.closed();
        }
    }

    // ------------------------------------------------------------------------------------------------ options

    @Override
    public void setOption(int optionId, Object value) throws SocketException {
        switch (optionId) {
            case SocketOptions.SO_TIMEOUT -> soTimeoutMillis = requireNonNegative((Integer) value, "SO_TIMEOUT");
            case SocketOptions.TCP_NODELAY -> {
                noDelay = (Boolean) value;
                ifConnected("TCP_NODELAY", () -> session.setNoDelay(noDelay, REPLY_TIMEOUT_MILLIS));
            }
            case SocketOptions.SO_KEEPALIVE -> {
                keepAlive = (Boolean) value;
                ifConnected("SO_KEEPALIVE", this::applyKeepAlive);
            }
            case SocketOptions.SO_LINGER -> lingerSeconds = value instanceof Integer seconds
                    ? requireNonNegative(seconds, "SO_LINGER") : -1;
            case SocketOptions.SO_SNDBUF -> requestedSendBuffer = requirePositive((Integer) value, "SO_SNDBUF");
            case SocketOptions.SO_RCVBUF -> requestedReceiveBuffer = requirePositive((Integer) value, "SO_RCVBUF");
            case SocketOptions.SO_REUSEADDR -> reuseAddress = (Boolean) value;
            case SocketOptions.IP_TOS -> trafficClass = (Integer) value & 0xff;
            case SocketOptions.SO_OOBINLINE -> {
                if ((Boolean) value) {
                    throw new SocketException("SO_OOBINLINE: urgent data is not supported by Sluice");
                }
            }
            default -> throw new SocketException("socket option " + optionId + " is not supported by Sluice");
        }
    }

    @Override
    public Object getOption(int optionId) throws SocketException {
        return switch (optionId) {
            case SocketOptions.SO_TIMEOUT -> soTimeoutMillis;
            case SocketOptions.TCP_NODELAY -> noDelay;
            case SocketOptions.SO_KEEPALIVE -> keepAlive;
            case SocketOptions.SO_LINGER -> lingerSeconds >= 0 ? (Object) lingerSeconds : Boolean.FALSE;
            // The FIFOs are the buffers: their sizes come from the application's vcl.conf, whatever was asked.
            case SocketOptions.SO_SNDBUF -> session != null ? session.txCapacity() : requestedSendBuffer;
            case SocketOptions.SO_RCVBUF -> session != null ? session.rxCapacity() : requestedReceiveBuffer;
            case SocketOptions.SO_REUSEADDR -> reuseAddress;
            case SocketOptions.IP_TOS -> trafficClass;
            case SocketOptions.SO_OOBINLINE -> false;
            case SocketOptions.SO_BINDADDR -> SluiceAddresses.inet(session != null ? session.localAddress()
                    : localBindAddress);
            default -> throw new SocketException("socket option " + optionId + " is not supported by Sluice");
        };
    }

    @Override
    protected <T> void setOption(SocketOption<T> name, T value) throws IOException {
        if (name == ExtendedSocketOptions.TCP_KEEPIDLE) {
            keepAliveIdleSeconds = requireKeepAliveNumber((Integer) value, name);
        } else if (name == ExtendedSocketOptions.TCP_KEEPINTERVAL) {
            keepAliveIntervalSeconds = requireKeepAliveNumber((Integer) value, name);
        } else if (name == ExtendedSocketOptions.TCP_KEEPCOUNT) {
            keepAliveProbes = requireKeepAliveNumber((Integer) value, name);
        } else {
            setOption(optionId(name), value);
            return;
        }
        if (keepAlive) {
            ifConnected(name.name(), this::applyKeepAlive);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    protected <T> T getOption(SocketOption<T> name) throws IOException {
        if (name == ExtendedSocketOptions.TCP_KEEPIDLE) {
            return (T) Integer.valueOf(keepAliveIdleSeconds);
        } else if (name == ExtendedSocketOptions.TCP_KEEPINTERVAL) {
            return (T) Integer.valueOf(keepAliveIntervalSeconds);
        } else if (name == ExtendedSocketOptions.TCP_KEEPCOUNT) {
            return (T) Integer.valueOf(keepAliveProbes);
        }
        Object value = getOption(optionId(name));
        if (name == StandardSocketOptions.SO_LINGER) {
            value = value instanceof Integer ? value : Integer.valueOf(-1);
        }
        return (T) value;
    }

    @Override
    protected Set<SocketOption<?>> supportedOptions() {
        return OPTIONS;
    }

    private static int optionId(SocketOption<?> name) {
        if (name == StandardSocketOptions.TCP_NODELAY) {
            return SocketOptions.TCP_NODELAY;
        } else if (name == StandardSocketOptions.SO_KEEPALIVE) {
            return SocketOptions.SO_KEEPALIVE;
        } else if (name == StandardSocketOptions.SO_LINGER) {
            return SocketOptions.SO_LINGER;
        } else if (name == StandardSocketOptions.SO_SNDBUF) {
            return SocketOptions.SO_SNDBUF;
        } else if (name == StandardSocketOptions.SO_RCVBUF) {
            return SocketOptions.SO_RCVBUF;
        } else if (name == StandardSocketOptions.SO_REUSEADDR) {
            return SocketOptions.SO_REUSEADDR;
        } else if (name == StandardSocketOptions.IP_TOS) {
            return SocketOptions.IP_TOS;
        }
        throw new UnsupportedOperationException("'" + name + "' is not supported by Sluice sockets");
    }

    /** Gives an option to the stack now if the session exists (else {@link #applyOptions} will). */
    private void ifConnected(String option, StackCall call) throws SocketException {
        if (lock == null) {
            return;
        }
        lock.lock();
        try {
            if (session != null && !closed) {
                call.run();
            }
        } catch (IOException e) {
            SocketException failure = new SocketException("setting " + option + " on " + session + ": "
                    + e.getMessage());
            failure.initCause(e);
            throw failure;
        } finally {
            lock.unlock();
        }
    }

    /** A session call that waits for the stack's answer. */
    @FunctionalInterface
    private interface StackCall {
        void run() throws IOException;
    }

    private static int requireNonNegative(int value, String option) {
        if (value < 0) {
            throw new IllegalArgumentException(option + " " + value + " is negative");
        }
        return value;
    }

    private static int requirePositive(int value, String option) {
        if (value <= 0) {
            throw new IllegalArgumentException(option + " " + value + " is not positive");
        }
        return value;
    }

    private static int requireKeepAliveNumber(int value, SocketOption<?> option) {
        if (value < 1 || value > 0xFFFF) {
            throw new IllegalArgumentException(option.name() + " " + value + " is outside 1 to 65535");
        }
        return value;
    }

    // ------------------------------------------------------------------------------------------------ streams

    /** The socket's input: {@link java.net.Socket} wraps it, so closing it closes the socket. */
    private final class SessionInput extends InputStream {
        private final byte[] one = new byte[1];

        @Override
        public int read() throws IOException {
            synchronized (one) {
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }
        }

        @Override
        public int read(byte[] destination, int offset, int length) throws IOException {
            return SluiceSocketImpl.this.read(destination, offset, length);
        }

        @Override
        public int available() throws IOException {
            return SluiceSocketImpl.this.available();
        }

        @Override
        public void close() throws IOException {
            SluiceSocketImpl.this.close();
        }
    }

    /** The socket's output: every write is in the tx FIFO (and announced to the stack) when it returns. */
    private final class SessionOutput extends OutputStream {
        private final byte[] one = new byte[1];

        @Override
        public void write(int b) throws IOException {
            synchronized (one) {
                one[0] = (byte) b;
                write(one, 0, 1);
            }
        }

        @Override
        public void write(byte[] source, int offset, int length) throws IOException {
            SluiceSocketImpl.this.write(source, offset, length);
        }

        @Override
        public void close() throws IOException {
            SluiceSocketImpl.this.close();
        }
    }

    @Override
    public String toString() {
        return "SluiceSocketImpl[" + (session != null ? session : "unconnected") + (closed ? ", closed" : "") + "]";
    }
}
