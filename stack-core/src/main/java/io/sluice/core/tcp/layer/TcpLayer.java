package io.sluice.core.tcp.layer;

import io.sluice.core.engine.FlowSteering;
import io.sluice.core.iface.Interface;
import io.sluice.core.iface.InterfaceTable;
import io.sluice.core.ip.Ip4Fib;
import io.sluice.core.tcp.conn.TcpSettings;
import io.sluice.core.tcp.syn.IsnGenerator;
import io.sluice.core.tcp.syn.SynCookies;
import io.sluice.core.wire.Ip4Address;
import io.sluice.core.wire.Ipv4;
import io.sluice.core.wire.Tcp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.IntConsumer;

/**
 * A stack's TCP: the per-worker {@link TcpWorker}s, the listeners (shared, read lock-free by every worker's
 * tcp4-input), the ephemeral ports, and the calls the session layer makes from its own threads: {@link #listen} and
 * {@link #connect}. A connection belongs to the worker its 4-tuple hashes to ({@link FlowSteering}); segments found on
 * another worker are handed off to it before they touch any state.
 */
public final class TcpLayer {

    /**
     * Limits and defaults.
     *
     * @param settings per-connection settings (the MSS is lowered per connection to fit the interface MTU)
     * @param maxConnectionsPerWorker connections (any state but CLOSED) one worker holds at most
     * @param synQueueLimit default bound on a listener's connections in SYN-RECEIVED
     * @param ephemeralFirst first local port for active opens
     * @param ephemeralLast last local port for active opens
     */
    public record Config(TcpSettings settings, int maxConnectionsPerWorker, int synQueueLimit, int ephemeralFirst,
            int ephemeralLast) {

        /** Validates the limits. */
        public Config {
            Objects.requireNonNull(settings, "settings");
            if (maxConnectionsPerWorker < 1 || maxConnectionsPerWorker > 1 << 22) {
                throw new IllegalArgumentException("TCP max-connections per worker " + maxConnectionsPerWorker
                        + " is outside 1.." + (1 << 22));
            }
            if (synQueueLimit < 1) {
                throw new IllegalArgumentException("TCP SYN queue limit " + synQueueLimit + " must be at least 1");
            }
        }

        /** Default settings, 16,384 connections per worker, SYN queues of 1024, Linux's ephemeral range. */
        public static Config defaults() {
            return new Config(TcpSettings.defaults(), 16_384, 1024, EphemeralPorts.DEFAULT_FIRST,
                    EphemeralPorts.DEFAULT_LAST);
        }

        /** The same limits with other connection settings. */
        public Config withSettings(TcpSettings newSettings) {
            return new Config(newSettings, maxConnectionsPerWorker, synQueueLimit, ephemeralFirst, ephemeralLast);
        }
    }

    private static final TcpListener[] NO_LISTENERS = new TcpListener[0];

    private final Config config;
    private final Ip4Fib fib;
    private final InterfaceTable interfaces;
    private final TcpWorker[] workers;
    private final IntConsumer wakeWorker;
    private final int maxSegmentBytes;
    private final AtomicReferenceArray<TcpListener[]> listeners = new AtomicReferenceArray<>(65536);
    private final EphemeralPorts ephemeralPorts;
    private final AtomicInteger nextWorker = new AtomicInteger();
    private final IsnGenerator isn = new IsnGenerator(new SecureRandom());
    private final SynCookies cookies = new SynCookies(new SecureRandom());

    /**
     * @param workerCount the stack's workers
     * @param bufferDataSize a packet buffer's data room: a segment with 60 bytes of TCP header must fit
     * @param wakeWorker wakes a worker after a request was posted to it
     */
    public TcpLayer(Config config, Ip4Fib fib, InterfaceTable interfaces, int workerCount, int bufferDataSize,
            IntConsumer wakeWorker) {
        this.config = Objects.requireNonNull(config, "config");
        this.fib = fib;
        this.interfaces = interfaces;
        this.wakeWorker = wakeWorker;
        this.maxSegmentBytes = bufferDataSize - Ipv4.MIN_HEADER_LENGTH - Tcp.MAX_HEADER_LENGTH;
        if (maxSegmentBytes < 64) {
            throw new IllegalArgumentException("packet buffers of " + bufferDataSize + " bytes are too small for TCP");
        }
        this.ephemeralPorts = new EphemeralPorts(config.ephemeralFirst(), config.ephemeralLast());
        this.workers = new TcpWorker[workerCount];
        for (int w = 0; w < workerCount; w++) {
            workers[w] = new TcpWorker(this, w, config.maxConnectionsPerWorker());
        }
        for (int p = 0; p < 65536; p++) {
            listeners.set(p, NO_LISTENERS);
        }
    }

    public Config config() {
        return config;
    }

    /** Number of workers. */
    public int workerCount() {
        return workers.length;
    }

    /** Worker {@code w}'s TCP (its graph's nodes and timer wheel use it). */
    public TcpWorker worker(int w) {
        return workers[w];
    }

    // ---- listen ----

    /**
     * Listens on ({@code localAddress}, {@code port}); 0 as the address listens on every local address.
     *
     * @param backlog established connections waiting for {@link TcpListener#accept()} at most
     * @param factory buffers for each new connection (called on workers)
     * @param events what the listener's connections report (on workers)
     * @throws TcpOpenException if the port is outside 1..65535, the address is not local, or the pair is taken (by
     *     the same address or by a wildcard listener on the port)
     */
    public TcpListener listen(int localAddress, int port, int backlog, TcpBufferFactory factory, TcpEvents events) {
        return listen(localAddress, port, backlog, config.synQueueLimit(), factory, events);
    }

    /**
     * As {@link #listen(int, int, int, TcpBufferFactory, TcpEvents)} with a SYN queue of {@code synQueueLimit}
     * connections in SYN-RECEIVED; beyond it, SYNs are answered with SYN cookies.
     */
    public TcpListener listen(int localAddress, int port, int backlog, int synQueueLimit, TcpBufferFactory factory,
            TcpEvents events) {
        if (synQueueLimit < 1) {
            throw new TcpOpenException(TcpOpenException.Reason.BAD_ARGUMENT,
                    "TCP listen: SYN queue limit " + synQueueLimit + " must be at least 1");
        }
        if (port < 1 || port > 65535) {
            throw new TcpOpenException(TcpOpenException.Reason.BAD_ARGUMENT,
                    "TCP listen: port " + port + " is outside 1..65535");
        }
        if (backlog < 1) {
            throw new TcpOpenException(TcpOpenException.Reason.BAD_ARGUMENT,
                    "TCP listen: backlog " + backlog + " must be at least 1");
        }
        // 127.0.0.0/8 is accepted: no packet reaches it (it is never an interface's, and the wire's are dropped), but
        // the session layer serves connects to it cut through, the stack's loopback.
        if (localAddress != Ip4Address.ANY && !fib.isLocal(localAddress) && !Ip4Address.isLoopback(localAddress)) {
            throw new TcpOpenException(TcpOpenException.Reason.NO_LOCAL_ADDRESS, "TCP listen: "
                    + Ip4Address.format(localAddress) + " is not an address of this stack");
        }
        Objects.requireNonNull(factory, "buffer factory");
        Objects.requireNonNull(events, "events");
        TcpListener listener = new TcpListener(this, localAddress, port, backlog, synQueueLimit, factory, events);
        synchronized (listeners) {
            TcpListener[] before = listeners.get(port);
            for (TcpListener l : before) {
                if (l.localAddress() == localAddress || l.localAddress() == Ip4Address.ANY
                        || localAddress == Ip4Address.ANY) {
                    throw new TcpOpenException(TcpOpenException.Reason.ADDRESS_IN_USE, "TCP listen: "
                            + Ip4Address.format(localAddress) + ":" + port + " is taken by " + l);
                }
            }
            TcpListener[] after = Arrays.copyOf(before, before.length + 1);
            after[before.length] = listener;
            listeners.set(port, after);
        }
        return listener;
    }

    /** The listener for a SYN to ({@code address}, {@code port}): the exact address first, else a wildcard. */
    TcpListener listenerFor(int address, int port) {
        TcpListener[] candidates = listeners.get(port);
        TcpListener wildcard = null;
        for (TcpListener l : candidates) {
            if (l.localAddress() == address) {
                return l;
            }
            if (l.localAddress() == Ip4Address.ANY) {
                wildcard = l;
            }
        }
        return wildcard;
    }

    void unlisten(TcpListener listener) {
        synchronized (listeners) {
            TcpListener[] before = listeners.get(listener.port());
            List<TcpListener> kept = new ArrayList<>(Arrays.asList(before));
            if (!kept.remove(listener)) {
                return;
            }
            listeners.set(listener.port(), kept.toArray(NO_LISTENERS));
        }
        listener.markClosed();
        TcpFlow unaccepted;
        while ((unaccepted = listener.accept()) != null) {
            unaccepted.abort();
        }
    }

    // ---- connect ----

    /**
     * Opens a connection to ({@code remoteAddress}, {@code remotePort}) from {@code localAddress} (0: the address
     * the routing table picks) and an ephemeral port chosen so the connection lands on a worker in turn. The SYN
     * goes out from that worker; {@link TcpEvents#onEstablished} or {@link TcpEvents#onClosed} follows.
     *
     * @throws TcpOpenException naming the problem: no route, no free port, the worker full, no buffers
     */
    public TcpFlow connect(int localAddress, int remoteAddress, int remotePort, TcpBufferFactory factory,
            TcpEvents events) {
        return connect(localAddress, remoteAddress, remotePort, factory, events, null);
    }

    /**
     * As {@link #connect(int, int, int, TcpBufferFactory, TcpEvents)}, with the connection's congestion control
     * {@code ccAlgo} ({@code cubic} or {@code newreno}) instead of the stack's ({@code tcp { cc-algo }}); null keeps
     * the stack's.
     */
    public TcpFlow connect(int localAddress, int remoteAddress, int remotePort, TcpBufferFactory factory,
            TcpEvents events, String ccAlgo) {
        return connect(localAddress, remoteAddress, remotePort, factory, events, ccAlgo,
                Math.floorMod(nextWorker.getAndIncrement(), workers.length));
    }

    /**
     * As {@link #connect(int, int, int, TcpBufferFactory, TcpEvents, String)}, on worker {@code worker}: its
     * ephemeral port is chosen so the 4-tuple hashes there. The session layer uses it so a connection lives on the
     * worker whose queue the application's request came on.
     *
     * @throws TcpOpenException naming the problem, with a {@link TcpOpenException.Reason}
     */
    public TcpFlow connect(int localAddress, int remoteAddress, int remotePort, TcpBufferFactory factory,
            TcpEvents events, String ccAlgo, int worker) {
        if (remotePort < 1 || remotePort > 65535) {
            throw new TcpOpenException(TcpOpenException.Reason.BAD_ARGUMENT, "TCP connect: port " + remotePort
                    + " is outside 1..65535");
        }
        if (worker < 0 || worker >= workers.length) {
            throw new TcpOpenException(TcpOpenException.Reason.BAD_ARGUMENT, "TCP connect: worker " + worker
                    + " is outside 0.." + (workers.length - 1));
        }
        long route = fib.lookup(remoteAddress);
        if (route == Ip4Fib.NO_ROUTE) {
            throw new TcpOpenException(TcpOpenException.Reason.NO_ROUTE, "TCP connect: no route to "
                    + Ip4Address.format(remoteAddress));
        }
        int source = localAddress != Ip4Address.ANY ? localAddress : fib.sourceAddressFor(remoteAddress);
        if (source == Ip4Address.ANY || !fib.isLocal(source)) {
            throw new TcpOpenException(TcpOpenException.Reason.NO_LOCAL_ADDRESS, "TCP connect: no local"
                    + " address to reach " + Ip4Address.format(remoteAddress) + " from");
        }
        TcpSettings settings = settingsFor(mtuOf(Ip4Fib.ifIndex(route)), ccAlgo); // checks the algorithm's name
        TcpWorker owner = workers[worker];
        if (!owner.reserve()) {
            throw new TcpOpenException(TcpOpenException.Reason.WORKER_FULL, "TCP connect: worker " + worker
                    + " holds its maximum of " + config.maxConnectionsPerWorker() + " connections");
        }
        int port = ephemeralPorts.allocate(source, remoteAddress, remotePort, worker, workers.length);
        if (port < 0) {
            owner.release();
            throw new TcpOpenException(TcpOpenException.Reason.NO_PORT, "TCP connect: no free local port in "
                    + config.ephemeralFirst() + "-" + config.ephemeralLast() + " for worker " + worker);
        }
        TcpBuffers buffers = factory.allocate();
        if (buffers == null) {
            owner.release();
            ephemeralPorts.release(port);
            throw new TcpOpenException(TcpOpenException.Reason.NO_BUFFERS, "TCP connect: no buffers for a new"
                    + " connection");
        }
        TcpFlow flow = new TcpFlow(owner, source, port, remoteAddress, remotePort, settings, buffers, factory, events,
                null);
        flow.request(TcpFlow.REQUEST_OPEN);
        return flow;
    }

    void releasePort(int port) {
        ephemeralPorts.release(port);
    }

    // ---- shared helpers for the workers ----

    /** The connection settings for an interface of {@code mtu}: the MSS clamped to the MTU and the buffers. */
    TcpSettings settingsFor(int mtu) {
        int mss = Math.min(config.settings().mss(), Math.min(mtu - Ipv4.MIN_HEADER_LENGTH - Tcp.MIN_HEADER_LENGTH,
                maxSegmentBytes));
        return mss == config.settings().mss() ? config.settings() : config.settings().withMss(Math.max(64, mss));
    }

    /** As {@link #settingsFor(int)} with congestion control {@code ccAlgo}, or the stack's when null. */
    TcpSettings settingsFor(int mtu, String ccAlgo) {
        TcpSettings settings = settingsFor(mtu);
        return ccAlgo == null || ccAlgo.equals(settings.ccAlgo()) ? settings : settings.withCcAlgo(ccAlgo);
    }

    /** The MTU of interface {@code ifIndex} (1500 when it is unknown). */
    int mtuOf(int ifIndex) {
        Interface itf = interfaces.get(ifIndex);
        return itf != null ? itf.mtu() : 1500;
    }

    /** Whether {@code address} is one of the stack's unicast addresses. */
    boolean isLocal(int address) {
        return fib.isLocal(address);
    }

    /** The stack's SYN cookie codec (one secret for all workers). */
    SynCookies cookies() {
        return cookies;
    }

    /** RFC 6528: a keyed hash of the 4-tuple plus a 4 µs clock, so sequence numbers are hard to guess. */
    int initialSequence(long now, TcpFlow flow) {
        return isn.isn(now, flow.localAddress(), flow.localPort(), flow.remoteAddress(), flow.remotePort());
    }

    void wake(int worker) {
        wakeWorker.accept(worker);
    }

    // ---- control path ----

    /** The stack's TCP counters: {@code perWorker[w]} as read on each worker, added up. */
    public static long[] total(List<long[]> perWorker) {
        long[] sum = new long[TcpCounter.ALL.length];
        for (long[] c : perWorker) {
            for (int i = 0; i < sum.length; i++) {
                sum[i] += c[i];
            }
        }
        return sum;
    }
}
