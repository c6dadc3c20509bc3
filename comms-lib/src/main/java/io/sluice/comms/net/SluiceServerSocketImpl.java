package io.sluice.comms.net;

import io.sluice.comms.Sluice;
import io.sluice.comms.SluiceAddresses;
import io.sluice.session.app.AppListener;
import io.sluice.session.app.AppSession;
import io.sluice.session.app.SessionException;
import io.sluice.session.msg.SessionMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketImpl;
import java.net.SocketOption;
import java.net.SocketOptions;
import java.net.StandardSocketOptions;
import java.util.Set;
import java.util.concurrent.locks.Lock;
import java.util.function.BooleanSupplier;

/**
 * The {@link SocketImpl} of a {@link SluiceServerSocket}: a listener on one of the application's shared workers
 * (its accepted sockets live on the same worker). An accept waits up to {@code SO_TIMEOUT}; {@link #close()} from
 * another thread wakes it.
 */
final class SluiceServerSocketImpl extends SharedWorkerSocketImpl {

    private static final Set<SocketOption<?>> OPTIONS = Set.of(StandardSocketOptions.SO_RCVBUF,
            StandardSocketOptions.SO_REUSEADDR);

    private AppListener listener;
    private int bindAddress;
    private int soTimeoutMillis;
    private boolean reuseAddress = true;
    private final BooleanSupplier pendingOrClosed = () -> closed || listener.pending() > 0 || listener.isClosed();

    SluiceServerSocketImpl(Sluice sluice) {
        super(sluice);
    }

    @Override
    protected void bind(InetAddress host, int port) throws IOException {
        bindAddress = SluiceAddresses.bits(host);
        localport = port;
        address = host;
    }

    /** Listens for local (cut-through) and global (TCP) connections. */
    @Override
    protected void listen(int backlog) throws IOException {
        Lock held = lockNewWorker();
        try {
            listener = worker.listen(bindAddress, localport, backlog,
                    SessionMessage.FLAG_SCOPE_LOCAL | SessionMessage.FLAG_SCOPE_GLOBAL,
                    REPLY_TIMEOUT_MILLIS);
            localport = listener.port();
        } catch (SessionException e) {
            throw SocketErrors.of("listening on " + SluiceAddresses.inet(bindAddress).getHostAddress() + ":"
                    + localport, e);
        } finally {
            held.unlock();
        }
    }

    @Override
    protected void accept(SocketImpl socket) throws IOException {
        if (!(socket instanceof SluiceSocketImpl accepted)) {
            throw new SocketException("a Sluice server socket accepts into a SluiceSocket, not " + socket.getClass());
        }
        Lock held = lock;
        if (held == null) {
            throw new SocketException("Socket is not bound yet");
        }
        held.lock();
        try {
            long deadline = System.nanoTime() + soTimeoutMillis * 1_000_000L;
            while (true) {
                if (closed || listener.isClosed()) {
                    throw SocketErrors.closed();
                }
                AppSession session = listener.poll();
                if (session != null) {
                    accepted.accepted(worker, session);
                    return;
                }
                worker.waitUntil(pendingOrClosed, waitMillis(soTimeoutMillis, deadline, "Accept on port "
                        + localport));
            }
        } finally {
            held.unlock();
        }
    }

    /** Stops listening; connections already accepted stay, those not yet accepted are reset. */
    @Override
    void release() throws IOException {
        if (listener == null) {
            return;
        }
        try {
            worker.unlisten(listener, REPLY_TIMEOUT_MILLIS);
        } catch (SessionException e) {
            throw SocketErrors.of("closing the listener on port " + localport, e);
        } finally {
            // Connections that arrived but were never accepted: nobody will take them.
            for (AppSession orphan = listener.poll(); orphan != null; orphan = listener.poll()) {
                orphan.abort();
            }
        }
    }

    @Override
    public void setOption(int optionId, Object value) throws SocketException {
        switch (optionId) {
            case SocketOptions.SO_TIMEOUT -> {
                int millis = (Integer) value;
                if (millis < 0) {
                    throw new IllegalArgumentException("SO_TIMEOUT " + millis + " is negative");
                }
                soTimeoutMillis = millis;
            }
            case SocketOptions.SO_REUSEADDR -> reuseAddress = (Boolean) value;
            case SocketOptions.SO_RCVBUF -> {
                // Accepted sessions' FIFOs have the application's vcl.conf sizes.
            }
            default -> throw new SocketException("server socket option " + optionId + " is not supported by Sluice");
        }
    }

    @Override
    public Object getOption(int optionId) throws SocketException {
        return switch (optionId) {
            case SocketOptions.SO_TIMEOUT -> soTimeoutMillis;
            case SocketOptions.SO_REUSEADDR -> reuseAddress;
            case SocketOptions.SO_RCVBUF -> (int) Math.min(Integer.MAX_VALUE, sluice.config().rxFifoSize());
            case SocketOptions.SO_BINDADDR -> SluiceAddresses.inet(bindAddress);
            default -> throw new SocketException("server socket option " + optionId + " is not supported by Sluice");
        };
    }

    @Override
    protected <T> void setOption(SocketOption<T> name, T value) throws IOException {
        setOption(optionId(name), value);
    }

    @Override
    @SuppressWarnings("unchecked")
    protected <T> T getOption(SocketOption<T> name) throws IOException {
        return (T) getOption(optionId(name));
    }

    @Override
    protected Set<SocketOption<?>> supportedOptions() {
        return OPTIONS;
    }

    private static int optionId(SocketOption<?> name) {
        if (name == StandardSocketOptions.SO_RCVBUF) {
            return SocketOptions.SO_RCVBUF;
        } else if (name == StandardSocketOptions.SO_REUSEADDR) {
            return SocketOptions.SO_REUSEADDR;
        }
        throw new UnsupportedOperationException("'" + name + "' is not supported by Sluice server sockets");
    }

    // A server socket has no connection of its own: the client-side calls do not apply.

    @Override
    protected void connect(String host, int port) throws IOException {
        throw new SocketException("connect on a server socket");
    }

    @Override
    protected void connect(InetAddress address, int port) throws IOException {
        throw new SocketException("connect on a server socket");
    }

    @Override
    protected void connect(SocketAddress address, int timeout) throws IOException {
        throw new SocketException("connect on a server socket");
    }

    @Override
    protected InputStream getInputStream() throws IOException {
        throw new SocketException("a server socket has no input stream");
    }

    @Override
    protected OutputStream getOutputStream() throws IOException {
        throw new SocketException("a server socket has no output stream");
    }

    @Override
    protected int available() {
        return 0;
    }

}
