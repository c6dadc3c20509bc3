package io.sluice.session.daemon;

import io.sluice.core.buffer.BufferPool;
import io.sluice.core.engine.EngineThread;
import io.sluice.core.engine.LoopStats;
import io.sluice.core.engine.RxPlacement;
import io.sluice.core.graph.Graph;
import io.sluice.core.iface.Interface;
import io.sluice.core.iface.RxMode;
import io.sluice.core.ip.ArpEntry;
import io.sluice.core.tcp.layer.TcpConnectionInfo;
import io.sluice.session.attach.ApplicationInfo;
import io.sluice.session.attach.AttachedApplications;
import io.sluice.session.attach.QueueInfo;
import io.sluice.session.attach.SegmentInfo;
import io.sluice.session.msg.SessionHandle;
import io.sluice.session.stack.SessionInfo;
import io.sluice.session.stack.SessionLayer;
import io.sluice.core.tcp.layer.TcpCounter;
import io.sluice.core.ip.Ip4Fib;
import io.sluice.core.phy.Device;
import io.sluice.core.phy.DeviceCounters;
import io.sluice.core.phy.PcapDevice;
import io.sluice.core.phy.TapDevice;
import io.sluice.core.stack.Stack;
import io.sluice.core.wire.Ip4Address;
import io.sluice.core.wire.MacAddress;
import io.sluice.session.control.ControlColumn;
import io.sluice.session.control.ControlHandler;
import io.sluice.session.control.ControlReply;
import io.sluice.session.control.ControlRequest;
import io.sluice.session.control.ControlTable;
import io.sluice.session.control.ControlTables;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Answers the control socket's requests from a running {@link Stack}: every {@code show} reads counters and
 * tables (per-worker state through a task on the worker, so the data path is never locked) and returns them as
 * data; the client formats them. The control server calls it for one request at a time.
 */
public final class StackControl implements ControlHandler {

    private final Stack stack;
    private final AttachedApplications applications;
    /** The session layer, or null when the stack serves no applications. */
    private final SessionLayer sessions;
    /** Interface counters at the last {@code clear interfaces}, subtracted when shown (workers own the counters). */
    private final Map<Integer, long[]> interfaceBaseline = new HashMap<>();

    public StackControl(Stack stack) {
        this(stack, AttachedApplications.NONE);
    }

    /**
     * @param applications the attached applications, for {@code show app}, {@code show segment} and
     *     {@code show mq} ({@link AttachedApplications#NONE} when the stack accepts none)
     */
    public StackControl(Stack stack, AttachedApplications applications) {
        this(stack, applications, null);
    }

    /**
     * @param applications the attached applications, for {@code show app}, {@code show segment} and
     *     {@code show mq}
     * @param sessions the session layer, for {@code show session} and the session counts of {@code show app}; null
     *     when the stack serves no applications
     */
    public StackControl(Stack stack, AttachedApplications applications, SessionLayer sessions) {
        this.applications = applications;
        this.stack = stack;
        this.sessions = sessions;
    }

    @Override
    public ControlReply handle(ControlRequest request) {
        try {
            return switch (request) {
                case ControlRequest.ShowInterfaces r -> ControlReply.of(interfaces());
                case ControlRequest.ShowHardware r -> ControlReply.of(hardware());
                case ControlRequest.ShowRuntime r -> new ControlReply.Tables(runtime());
                case ControlRequest.ShowErrors r -> ControlReply.of(errors());
                case ControlRequest.ShowBuffers r -> ControlReply.of(buffers());
                case ControlRequest.ShowThreads r -> ControlReply.of(threads());
                case ControlRequest.ShowIpArp r -> ControlReply.of(ipArp());
                case ControlRequest.ShowIpFib r -> ControlReply.of(ipFib());
                case ControlRequest.ShowTcpStats r -> ControlReply.of(tcpStats());
                case ControlRequest.ShowTcp r -> ControlReply.of(tcp());
                case ControlRequest.ShowApp r -> ControlReply.of(apps());
                case ControlRequest.ShowSegment r -> ControlReply.of(segments());
                case ControlRequest.ShowMq r -> ControlReply.of(queues());
                case ControlRequest.ShowSession r -> ControlReply.of(sessions(r.verbose()));
                case ControlRequest.ShowRxPlacement r -> ControlReply.of(rxPlacement());
                case ControlRequest.SetRxPlacement r -> {
                    stack.engine().setRxPlacement(r.iface(), r.queue(), r.worker());
                    yield ControlReply.of(rxPlacement());
                }
                case ControlRequest.SetInterfaceState r -> setState(r.iface(), r.up());
                case ControlRequest.SetRxMode r -> {
                    stack.setRxMode(named(r.iface()), r.polling() ? RxMode.POLLING : RxMode.ADAPTIVE);
                    yield ControlReply.of(rxPlacement());
                }
                case ControlRequest.Clear r -> clear(r.what());
                case ControlRequest.PcapTraceOn r -> {
                    stack.startCapture(Path.of(r.file()), r.rx(), r.tx(), r.maxPackets());
                    yield ControlReply.ok();
                }
                case ControlRequest.PcapTraceOff r -> {
                    Stack.CaptureResult result = stack.stopCapture();
                    yield result == null ? ControlReply.failure("no packet capture is running")
                            : ControlReply.of(ControlTable.builder("Capture", List.of(ControlColumn.text("file"),
                                    ControlColumn.integer("packets"))).row(result.file().toString(), result.packets())
                                    .build());
                }
            };
        } catch (IllegalArgumentException | IllegalStateException e) {
            return ControlReply.failure(e.getMessage());
        } catch (IOException e) {
            return ControlReply.failure(e.getMessage());
        }
    }

    private ControlTable interfaces() {
        ControlTable.Builder t = ControlTables.interfaces();
        for (Interface i : stack.interfaces().all()) {
            long[] c = counters(i.device().counters());
            long[] base = interfaceBaseline.getOrDefault(i.index(), new long[c.length]);
            t.row(i.name(), i.index(), i.isAdminUp() ? "up" : "down", i.mtu(), c[0] - base[0], c[1] - base[1],
                    c[2] - base[2], c[3] - base[3], c[4] - base[4], c[5] - base[5], addresses(stack, i));
        }
        return t.build();
    }

    /** An interface's addresses with prefix lengths, comma-separated ({@code show interface}, the start-up line). */
    static String addresses(Stack stack, Interface i) {
        return stack.fib().interfaceAddresses(i.index()).stream().map(Object::toString)
                .collect(Collectors.joining(","));
    }

    private static long[] counters(DeviceCounters c) {
        return new long[] {c.rxPackets(), c.rxBytes(), c.rxDrops(), c.txPackets(), c.txBytes(), c.txDrops()};
    }

    private ControlTable hardware() {
        ControlTable.Builder t = ControlTables.hardware();
        for (Interface i : stack.interfaces().all()) {
            Device d = i.device() instanceof PcapDevice p ? p.inner() : i.device();
            String kind = d instanceof TapDevice ? "tap" : d.getClass().getSimpleName();
            String details = d instanceof TapDevice tap ? "malformed " + tap.malformedFrames() + ", errors "
                    + tap.errors() + (tap.lastError() == null ? "" : ", last: " + tap.lastError().getMessage())
                    : d.toString();
            t.row(i.name(), i.index(), kind, MacAddress.format(i.macAddress()), i.mtu(),
                    d.receiveQueueCount(), d.transmitQueueCount(), details);
        }
        return t.build();
    }

    private List<ControlTable> runtime() throws IOException {
        List<ControlTable> tables = new ArrayList<>();
        List<EngineThread> threads = stack.engine().threads();
        for (int w = 0; w < stack.engine().workerCount(); w++) {
            List<Graph.NodeRuntime> nodes = stack.onWorker(w, view -> view.graph().runtime());
            ControlTable.Builder t = ControlTables.runtime(threadId(threads, w), w);
            for (Graph.NodeRuntime n : nodes) {
                if (n.calls() > 0) {
                    t.row(n.name(), n.calls(), n.vectors(), n.vectorsPerCall(), n.nanosPerPacket());
                }
            }
            tables.add(t.build());
        }
        ControlTable.Builder loops = ControlTables.workerLoops();
        for (LoopStats s : stack.engine().loopStats()) {
            loops.row(threadId(threads, s.worker()), s.worker(), s.passes(), s.sleeps());
        }
        tables.add(loops.build());
        return tables;
    }

    /** The {@code show threads} id of worker {@code w}'s thread: its position in the thread list. */
    private static int threadId(List<EngineThread> threads, int worker) {
        for (int i = 0; i < threads.size(); i++) {
            if (threads.get(i).worker() == worker) {
                return i;
            }
        }
        return -1;
    }

    private ControlTable errors() throws IOException {
        Map<String, Graph.ErrorCount> summed = new LinkedHashMap<>();
        for (int w = 0; w < stack.engine().workerCount(); w++) {
            for (Graph.ErrorCount e : stack.onWorker(w, view -> view.graph().errors())) {
                summed.merge(e.node() + "\0" + e.symbol(), e, (a, b) -> new Graph.ErrorCount(a.node(), a.symbol(),
                        a.description(), a.count() + b.count()));
            }
        }
        ControlTable.Builder t = ControlTables.errors();
        for (Graph.ErrorCount e : summed.values()) {
            t.row(e.count(), e.node(), e.symbol(), e.description());
        }
        return t.build();
    }

    private ControlTable buffers() {
        BufferPool p = stack.pool();
        return ControlTables.buffers().row(p.bufferCount(), p.buffersFree(), p.buffersInUse(),
                p.bufferCount() - p.buffersInUse() - p.buffersInSharedList(), p.allocationFailures(),
                p.doubleFrees(), p.dataSize()).build();
    }

    private ControlTable threads() {
        ControlTable.Builder t = ControlTables.threads();
        List<EngineThread> threads = stack.engine().threads();
        for (int i = 0; i < threads.size(); i++) {
            EngineThread th = threads.get(i);
            t.row(i, th.name(), th.kind(), th.cpu(), th.osThreadId(), th.state().toString().toLowerCase(Locale.ROOT));
        }
        return t.build();
    }

    private ControlTable ipArp() throws IOException {
        ControlTable.Builder t = ControlTables.ipArp();
        long reachable = stack.arpSettings().reachableNanos();
        long stale = stack.arpSettings().staleNanos();
        for (ArpEntry e : stack.arpEntries()) {
            Interface i = stack.interfaces().get(e.ifIndex());
            long expiresIn = switch (e.state()) {
                case "static" -> -1;
                case "reachable" -> (reachable - e.ageNanos()) / 1_000_000_000L;
                case "stale" -> (reachable + stale - e.ageNanos()) / 1_000_000_000L;
                default -> 0;
            };
            t.row(i == null ? "#" + e.ifIndex() : i.name(), e.ip().toString(),
                    e.mac() == null ? "-" : e.mac().toString(), e.state(), Math.max(-1, expiresIn));
        }
        return t.build();
    }

    private ControlTable ipFib() {
        ControlTable.Builder t = ControlTables.ipFib();
        for (Ip4Fib.FibEntry e : stack.fib().snapshot()) {
            t.row(e.prefix().toString(), e.type(), e.nextHop() == null ? "-" : e.nextHop().toString(),
                    e.interfaceName());
        }
        return t.build();
    }

    private ControlTable apps() {
        ControlTable.Builder t = ControlTables.apps();
        for (ApplicationInfo a : applications.snapshot()) {
            t.row(a.index(), a.name(), a.workers(), a.fifoSegments(), a.fifoPairsInUse(),
                    sessions == null ? 0 : sessions.sessionCount(a.index()));
        }
        return t.build();
    }

    private ControlTable sessions(boolean verbose) throws IOException {
        ControlTable.Builder t = ControlTables.sessions(verbose);
        for (SessionInfo s : sessions == null ? List.<SessionInfo>of() : sessions.sessions()) {
            String handle = SessionHandle.format(s.handle());
            String app = s.appName() + " (" + s.appIndex() + ")";
            String local = Ip4Address.format(s.localAddress()) + ":" + s.localPort();
            String remote = Ip4Address.format(s.remoteAddress()) + ":" + s.remotePort();
            if (verbose) {
                t.row(handle, app, s.appWorker(), s.stackWorker(), s.state(), local, remote, s.rxFill(), s.txFill(),
                        s.tcpState(), s.rxSize(), s.txSize(), s.segmentId());
            } else {
                t.row(handle, app, s.appWorker(), s.stackWorker(), s.state(), local, remote, s.rxFill(), s.txFill());
            }
        }
        return t.build();
    }

    private ControlTable segments() {
        ControlTable.Builder t = ControlTables.segments();
        for (SegmentInfo s : applications.segmentSnapshot()) {
            t.row(s.appIndex(), s.appName(), s.segmentId(), s.kind(), s.bytes(), s.slots(), s.inUse());
        }
        return t.build();
    }

    private ControlTable queues() {
        ControlTable.Builder t = ControlTables.queues();
        for (QueueInfo q : applications.queueSnapshot()) {
            t.row(q.appIndex(), q.appName(), q.queue(), q.producers(), q.slots(), q.slotBytes(), q.waiting(),
                    q.full(), q.wakeups());
        }
        return t.build();
    }

    private ControlTable tcpStats() throws IOException {
        ControlTable.Builder t = ControlTables.tcpStats();
        long[] counts = stack.tcpCounters();
        for (TcpCounter c : TcpCounter.values()) {
            t.row(counts[c.ordinal()], c.counterName(), c.description());
        }
        return t.build();
    }

    private ControlTable tcp() throws IOException {
        ControlTable.Builder t = ControlTables.tcp();
        for (TcpConnectionInfo c : stack.tcpConnections()) {
            t.row(c.worker(), c.local(), c.remote(), c.state().toLowerCase(Locale.ROOT), c.cwnd(), c.ssthresh(),
                    c.srttMicros(), c.rttvarMicros(), c.rtoMicros(), c.flightBytes(), c.sackedBytes(), c.sendWindow(),
                    c.receiveWindow(), c.sendShift(), c.receiveShift(), c.mss(), c.retransmits(), c.timeouts());
        }
        return t.build();
    }

    private ControlTable rxPlacement() {
        ControlTable.Builder t = ControlTables.rxPlacement();
        for (RxPlacement p : stack.engine().rxPlacement()) {
            Interface i = stack.interfaces().get(p.queue().interfaceIndex());
            boolean polled = i != null && i.device().receiveReadiness(p.queue().queue()) == null;
            t.row(p.queue().interfaceName(), p.queue().queue(), p.worker(),
                    polled || i.rxMode() == RxMode.POLLING ? "polling" : i.rxMode().configName());
        }
        return t.build();
    }

    private ControlReply setState(String name, boolean up) {
        named(name).setAdminUp(up);
        return ControlReply.ok();
    }

    /** The interface called {@code name}; an error listing the interfaces when there is none. */
    private Interface named(String name) {
        Interface i = stack.interfaces().byName(name);
        if (i == null) {
            throw new IllegalArgumentException("no interface named '" + name + "' (interfaces: "
                    + stack.interfaces().all().stream().map(Interface::name).collect(Collectors.joining(", ")) + ")");
        }
        return i;
    }

    private ControlReply clear(ControlRequest.ClearTarget what) throws IOException {
        switch (what) {
            case RUNTIME, ERRORS -> {
                // The graph keeps runtime and error counters together; clearing one clears both, as one reset.
                for (int w = 0; w < stack.engine().workerCount(); w++) {
                    stack.onWorker(w, view -> {
                        view.graph().clearCounters();
                        return null;
                    });
                }
            }
            case INTERFACES -> {
                for (Interface i : stack.interfaces().all()) {
                    interfaceBaseline.put(i.index(), counters(i.device().counters()));
                }
            }
            default -> throw new IllegalArgumentException("cannot clear " + what);
        }
        return ControlReply.ok();
    }
}
