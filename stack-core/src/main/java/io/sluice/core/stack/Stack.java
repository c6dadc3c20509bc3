package io.sluice.core.stack;

import io.sluice.core.buffer.BufferPool;
import io.sluice.core.buffer.BufferPoolConfig;
import io.sluice.core.config.StackConfig;
import io.sluice.core.engine.Engine;
import io.sluice.core.engine.EngineConfig;
import io.sluice.core.engine.GraphFactory;
import io.sluice.core.engine.WorkerResources;
import io.sluice.core.engine.WorkerView;
import io.sluice.core.graph.GraphBuilder;
import io.sluice.core.iface.Interface;
import io.sluice.core.iface.InterfaceTable;
import io.sluice.core.iface.RxMode;
import io.sluice.core.ip.ArpEntry;
import io.sluice.core.ip.ArpSettings;
import io.sluice.core.ip.Ip4Fib;
import io.sluice.core.ip.Ip4Layer;
import io.sluice.core.l4.L4Nodes;
import io.sluice.core.l4.UdpPortTable;
import io.sluice.core.l4.UdpSockets;
import io.sluice.core.pcap.PcapWriter;
import io.sluice.core.phy.Device;
import io.sluice.core.phy.HostLink;
import io.sluice.core.phy.PcapDevice;
import io.sluice.core.phy.TapDevice;
import io.sluice.core.sys.CpuAffinity;
import io.sluice.core.tcp.conn.TcpSettings;
import io.sluice.core.tcp.layer.TcpConnectionInfo;
import io.sluice.core.tcp.layer.TcpLayer;
import io.sluice.core.timer.ExpiryHandler;
import io.sluice.core.timer.TimerWheel;
import io.sluice.core.wire.Ip4Prefix;
import io.sluice.core.wire.MacAddress;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * One stack: the buffer pool, the interfaces (each device wrapped for packet capture), the routing table, the UDP
 * sockets, and the engine whose workers run the protocol graph — ethernet-input, arp-input, ip4-input,
 * icmp4-input, udp4-input, tcp4-input, tcp4-output, ip4-output and the engine's device nodes — each with its own
 * ARP table.
 *
 * <p>Made by the control thread: {@link #create} (from a {@code startup.conf}; its {@code tap} sections become
 * interfaces, their Linux side configured through {@link HostLink}), more interfaces with {@link #addInterface},
 * then {@link #start}. {@link #close} stops the workers, closes the devices, deletes the namespaces it created and
 * frees the pool. The methods that read per-worker state ({@link #arpEntries}) run a task on each worker.
 */
public final class Stack implements AutoCloseable {

    /** ARP entries per worker. */
    static final int ARP_CAPACITY = 1024;
    /** How long a control request waits for a worker's answer. */
    static final long WORKER_TASK_SECONDS = 5;

    private final StackConfig config;
    private final BufferPool pool;
    private final InterfaceTable interfaces = new InterfaceTable();
    private final Ip4Fib fib = new Ip4Fib(interfaces);
    private final UdpSockets udp;
    private final TcpLayer tcp;
    private final ProtocolGraph protocols;
    private final ArpSettings arp = ArpSettings.defaults(ARP_CAPACITY);
    private final Engine engine;
    private final Ip4Layer[] layers;
    private final List<PcapDevice> devices = new ArrayList<>();
    private final List<String> createdNamespaces = new ArrayList<>();
    /** Nodes of layers above the stack (the session layer's), added to every worker's graph after the protocols. */
    private final List<GraphFactory> extraNodes = new CopyOnWriteArrayList<>();
    private volatile boolean started;
    private PcapWriter capture;
    private boolean closed;

    private Stack(StackConfig config, EngineConfig engineConfig, LongSupplier clock) {
        this.config = config;
        this.pool = BufferPool.create(BufferPoolConfig.defaults().withBufferCount(config.buffers().buffersPerNuma())
                .withDataSize(config.buffers().defaultDataSize()));
        try {
            int workers = engineConfig.workers();
            this.layers = new Ip4Layer[workers];
            Engine[] self = new Engine[1];
            this.udp = new UdpSockets(new UdpPortTable(), workers, UdpSockets.maxPayloadFor(pool),
                    worker -> self[0].wake(worker));
            StackConfig.Tcp t = config.tcp();
            TcpLayer.Config defaults = TcpLayer.Config.defaults();
            TcpLayer.Config tcpConfig = new TcpLayer.Config(TcpSettings.defaults().withCcAlgo(t.ccAlgo()),
                    t.maxConnections(), t.synQueue(), defaults.ephemeralFirst(), defaults.ephemeralLast());
            this.tcp = new TcpLayer(tcpConfig, fib, interfaces, workers, pool.dataSize(),
                    worker -> self[0].wake(worker));
            this.protocols = new ProtocolGraph(interfaces, fib, new L4Nodes(udp, fib::isLocal, fib::sourceAddressFor),
                    tcp, arp);
            this.engine = new Engine(engineConfig, pool, interfaces, this::addNodes, clock);
            self[0] = engine;
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    /**
     * A stack as {@code config} describes it, not yet started: its {@code tap} interfaces are open and their
     * Linux side configured.
     *
     * @throws IOException naming the tap section's line when an interface cannot be made or configured (what was
     *         made is undone)
     */
    public static Stack create(StackConfig config) throws IOException {
        return create(config, EngineConfig.from(config.cpu(), CpuAffinity.cpuCount()), System::nanoTime);
    }

    /**
     * As {@link #create(StackConfig)}, with the threads given by {@code engineConfig} rather than the {@code cpu}
     * section, on {@code clock}: two single-thread stacks on one virtual clock, joined by an
     * {@link io.sluice.core.phy.InMemoryWire} and stepped by one thread, are a deterministic simulation.
     */
    public static Stack create(StackConfig config, EngineConfig engineConfig, LongSupplier clock)
            throws IOException {
        Stack stack = new Stack(config, engineConfig, clock);
        try {
            for (StackConfig.Tap tap : config.taps()) {
                stack.addTap(tap);
            }
            return stack;
        } catch (IOException | RuntimeException e) {
            stack.close();
            throw e;
        }
    }

    /** The graph of one worker: the IPv4 layer with the worker's own ARP table, then ICMP, UDP and TCP. */
    private void addNodes(GraphBuilder builder, WorkerResources worker) {
        // The wheel needs its handler before the ARP table that handles it exists: the lambda forwards to it.
        ExpiryHandler[] arpTable = new ExpiryHandler[1];
        TimerWheel wheel = worker.timers("arp", 2 * ARP_CAPACITY, (handle, data) -> arpTable[0].onExpired(handle,
                data));
        TcpLayer.Config tcpConfig = tcp.config();
        TimerWheel tcpWheel = worker.timers("tcp", tcpConfig.maxConnectionsPerWorker(),
                tcp.worker(worker.workerIndex()));
        Ip4Layer layer = protocols.addTo(builder, wheel, tcpWheel, worker.cache(), worker.workerIndex(),
                worker.workerCount(), worker.workerIndex() == 0);
        arpTable[0] = layer.arpTable();
        layers[worker.workerIndex()] = layer;
        for (GraphFactory extra : extraNodes) {
            extra.addNodes(builder, worker);
        }
    }

    /**
     * Adds nodes of a layer above the stack to every worker's graph (the session layer's {@code session-queue}):
     * {@code nodes} runs on each worker's thread while its graph is built, after the protocol nodes. A hook rather
     * than a dependency, since the layers above depend on the stack and not the other way round.
     *
     * @throws IllegalStateException after {@link #start}: the graphs are built
     */
    public void addWorkerNodes(GraphFactory nodes) {
        Objects.requireNonNull(nodes, "nodes");
        if (started) {
            throw new IllegalStateException("worker nodes must be added before the stack starts");
        }
        extraNodes.add(nodes);
    }

    private void addTap(StackConfig.Tap tap) throws IOException {
        String where = "tap section at line " + tap.line() + " (" + tap.hostIfName() + ")";
        long mac = tap.hwAddr().map(m -> MacAddress.parse(m).bits()).orElseGet(TapDevice::randomLocalMac);
        TapDevice device;
        try {
            device = TapDevice.open(tap.hostIfName(), tap.numRxQueues(), tap.hostMtuSize(), mac);
        } catch (RuntimeException e) {
            throw new IOException(where + ": " + e.getMessage(), e);
        }
        try {
            String namespace = tap.hostNs().orElse(null);
            if (namespace != null && !HostLink.namespaceExists(namespace)) {
                HostLink.createNamespace(namespace);
                createdNamespaces.add(namespace);
            }
            HostLink.configure(tap.hostIfName(), namespace, tap.hostIp4Addr().orElse(null),
                    tap.hostMacAddr().orElse(null), tap.hostMtuSize());
            setRxMode(addInterface(device, Ip4Prefix.parse(tap.ip4Addr())), RxMode.fromConfigName(tap.rxMode()));
        } catch (IOException | RuntimeException e) {
            device.close();
            throw new IOException(where + ": " + e.getMessage(), e);
        }
    }

    /**
     * Adds {@code device} (wrapped for packet capture) as an interface with {@code address}, before or after
     * {@link #start}.
     */
    public synchronized Interface addInterface(Device device, Ip4Prefix address) {
        Objects.requireNonNull(address, "address");
        PcapDevice captured = new PcapDevice(device);
        Interface iface = engine.addInterface(captured);
        devices.add(captured);
        fib.addInterfaceAddress(iface.index(), address);
        return iface;
    }

    /**
     * Switches how the workers serving {@code iface} wait for frames, waking them so a sleeping one sees it now.
     */
    public void setRxMode(Interface iface, RxMode mode) {
        iface.setRxMode(mode);
        for (int w = 0; w < engine.workerCount(); w++) {
            engine.wake(w);
        }
    }

    /** Starts the workers (in single-thread mode the caller then runs {@link Engine#runOnce()} in its loop). */
    public void start() {
        started = true;
        engine.start();
    }

    public StackConfig config() {
        return config;
    }

    public BufferPool pool() {
        return pool;
    }

    public InterfaceTable interfaces() {
        return interfaces;
    }

    public Ip4Fib fib() {
        return fib;
    }

    public UdpSockets udp() {
        return udp;
    }

    /** The stack's TCP: listen and connect. */
    public TcpLayer tcp() {
        return tcp;
    }

    public Engine engine() {
        return engine;
    }

    public ArpSettings arpSettings() {
        return arp;
    }

    /** Every worker's ARP entries, read on the worker's own thread, worker by worker. */
    public List<ArpEntry> arpEntries() throws IOException {
        List<ArpEntry> out = new ArrayList<>();
        for (int w = 0; w < layers.length; w++) {
            int worker = w;
            out.addAll(onWorker(worker, view -> layers[worker].arpTable().snapshot(System.nanoTime())));
        }
        return out;
    }

    /** The stack's TCP counters ({@code TcpCounter} order), read on each worker and added up. */
    public long[] tcpCounters() throws IOException {
        List<long[]> perWorker = new ArrayList<>();
        for (int w = 0; w < tcp.workerCount(); w++) {
            int worker = w;
            perWorker.add(onWorker(worker, view -> tcp.worker(worker).counters()));
        }
        return TcpLayer.total(perWorker);
    }

    /** Every TCP connection's state, read on its worker, worker by worker. */
    public List<TcpConnectionInfo> tcpConnections() throws IOException {
        List<TcpConnectionInfo> out = new ArrayList<>();
        for (int w = 0; w < tcp.workerCount(); w++) {
            int worker = w;
            out.addAll(onWorker(worker, view -> tcp.worker(worker).connectionInfos()));
        }
        return out;
    }

    /** Runs {@code task} on {@code worker} and waits for its answer (bounded). */
    public <T> T onWorker(int worker, Function<WorkerView, T> task) throws IOException {
        try {
            return engine.call(worker, task).get(WORKER_TASK_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for worker " + worker, e);
        } catch (ExecutionException e) {
            throw new IOException("worker " + worker + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("worker " + worker + " did not answer within " + WORKER_TASK_SECONDS + " s", e);
        }
    }

    /**
     * Starts capturing every interface's frames ({@code pcap trace rx tx max N file PATH}) into one file.
     *
     * @throws IllegalStateException if a capture is running
     */
    public synchronized void startCapture(Path file, boolean rx, boolean tx, int maxPackets) throws IOException {
        if (capture != null) {
            throw new IllegalStateException("a capture to " + capture.path() + " is running; 'pcap trace off' first");
        }
        PcapWriter writer = PcapWriter.open(file, 65535, maxPackets, PcapWriter.UNLIMITED);
        Instant wallClock = Instant.now();
        long epochOffset = wallClock.getEpochSecond() * 1_000_000_000L + wallClock.getNano() - System.nanoTime();
        for (PcapDevice d : devices) {
            d.startCapture(writer, rx, tx, epochOffset);
        }
        capture = writer;
    }

    /**
     * Stops the capture and closes its file.
     *
     * @return the file and the packets written, or null when no capture ran
     */
    public synchronized CaptureResult stopCapture() throws IOException {
        if (capture == null) {
            return null;
        }
        for (PcapDevice d : devices) {
            d.stopCapture();
        }
        PcapWriter writer = capture;
        capture = null;
        PcapDevice.closeDetached(writer);
        return new CaptureResult(writer.path(), writer.packetsWritten());
    }

    /** What a finished capture wrote. */
    public record CaptureResult(Path file, long packets) {}

    /** The devices as added (each wrapped for capture), by interface index. */
    public synchronized List<PcapDevice> devices() {
        return List.copyOf(devices);
    }

    /**
     * Stops the workers, closes the devices and any capture, deletes the namespaces the stack created, frees the
     * pool. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<Exception> failures = new ArrayList<>();
        try {
            engine.close();
        } catch (RuntimeException e) {
            failures.add(e);
        }
        try {
            stopCapture();
        } catch (IOException | RuntimeException e) {
            failures.add(e);
        }
        for (PcapDevice d : devices) {
            try {
                d.close();
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        for (String namespace : createdNamespaces) {
            try {
                HostLink.deleteNamespace(namespace);
            } catch (IOException e) {
                failures.add(e);
            }
        }
        pool.close();
        if (!failures.isEmpty()) {
            IllegalStateException e = new IllegalStateException("closing the stack: " + failures.get(0).getMessage());
            failures.forEach(e::addSuppressed);
            throw e;
        }
    }
}
