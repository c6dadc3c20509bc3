package io.sluice.core.tcp.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.core.config.StackConfig;
import io.sluice.core.phy.FaultInjector;
import io.sluice.core.phy.HostLink;
import io.sluice.core.phy.ImpairedDevice;
import io.sluice.core.phy.TapDevice;
import io.sluice.core.stack.Stack;
import io.sluice.core.tcp.conn.CloseCause;
import io.sluice.core.tcp.conn.RingReceiveBuffer;
import io.sluice.core.tcp.conn.RingSendBuffer;
import io.sluice.core.testing.TestNamespace;
import io.sluice.core.wire.Ip4Address;
import io.sluice.core.wire.Ip4Prefix;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sluice's TCP against the Linux kernel's, through a TAP whose Linux side lives in a namespace the test creates
 * (198.18.9.1 there, the stack at 198.18.9.2). The stack runs in single-thread mode on the test thread, which also
 * plays the Sluice application between passes, so heap rings serve as buffers. The kernel's peers are
 * {@code socat} and {@code python3}; an {@link ImpairedDevice} spoils the path; {@code tshark} reads the capture.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class TcpKernelInteropTest {

    private static final String STACK_IP = "198.18.9.2";
    private static final int STACK = Ip4Address.parse(STACK_IP).bits();
    private static final int KERNEL = Ip4Address.parse("198.18.9.1").bits();
    private static final int MIB = 1 << 20;

    @TempDir
    Path dir;

    private TestNamespace namespace;
    private String ifName;
    private Stack stack;
    private final TcpSimulation.Buffers buffers = new TcpSimulation.Buffers();

    @BeforeEach
    void start() throws Exception {
        TestNamespace.assumeAvailable();
        assumeTrue(TestNamespace.onPath("socat"), "needs socat (Debian package socat) as the kernel-side peer");
        namespace = TestNamespace.create("stk");
        ifName = TestNamespace.uniqueName("stt");
        stack = Stack.create(StackConfig.parse("test.conf", """
                cpu { workers 0 }
                buffers { buffers-per-numa 16384 }
                tap {
                  host-if-name %s
                  host-ns %s
                  host-ip4-addr 198.18.9.1/24
                  ip4-addr %s/24
                  rx-mode polling
                }
                """.formatted(ifName, namespace.name(), STACK_IP)));
        stack.start();
    }

    @AfterEach
    void stop() throws IOException {
        try {
            if (stack != null) {
                stack.close();
            }
        } finally {
            if (namespace != null) {
                namespace.close();
            }
        }
    }

    @Test
    void aKernelClientsBytesComeBackIntactFromASluiceEchoServer() throws Exception {
        Path in = randomFile("in.bin", 100 * MIB, 1);
        Path out = dir.resolve("out.bin");
        stack.startCapture(dir.resolve("echo.pcap"), true, true, 64);
        EchoServer server = new EchoServer(stack.tcp().listen(0, 5001, 16, buffers, new TcpEvents() { }));
        Process client = namespace.start(dir.resolve("socat.log"), "sh", "-c",
                "socat -b 65536 -t 30 - TCP:" + STACK_IP + ":5001 < " + in + " > " + out);
        assertTrue(drive(() -> !client.isAlive(), server::pump, 120), "the kernel client finished");
        assertEquals(0, client.exitValue(), Files.readString(dir.resolve("socat.log")));
        assertEquals(-1, Files.mismatch(in, out), "the echoed file equals the sent one");
        assertTrue(drive(() -> server.flows.stream().allMatch(TcpFlow::isClosed), server::pump, 10),
                "the server's connection closed");
        assertEquals(CloseCause.NONE, server.flows.get(0).closeCause());
        assertOptionsNegotiated(stack.stopCapture().file());
    }

    @Test
    void aSluiceClientsBytesComeBackIntactFromAKernelEchoServer() throws Exception {
        // Not socat's PIPE: socat writes up to its block size into the pipe it alone drains, and blocks on it for
        // good once the pipe holds data (seen here as the kernel closing its window after a few hundred KiB).
        assumeTrue(TestNamespace.onPath("python3"), "needs python3 for the kernel-side echo server");
        namespace.start(dir.resolve("server.log"), "python3", "-c", """
                import socket
                server = socket.socket()
                server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                server.bind(('0.0.0.0', 5002))
                server.listen(1)
                connection, _ = server.accept()
                while True:
                    data = connection.recv(1 << 16)
                    if not data:
                        break
                    connection.sendall(data)
                connection.close()
                """);
        TcpSimulation.Endpoint client = connectWhenListening(5002);
        long bytes = 100L * MIB;
        TcpSimulation.Endpoint end = new TcpSimulation.Endpoint(client.flow, bytes, bytes, 5, 5);
        assertTrue(drive(end::finished, end::pump, 120), () -> "echo complete: sent " + end.sent + ", received "
                + end.received + ", " + describe(end.flow));
        assertEquals(0, end.mismatches, "every echoed byte is the one sent");
    }

    /**
     * The path of the netem recipe — loss 2%, delay 20 ms ± 5 ms, reordering 5%, duplication 1% — applied by
     * the stack itself in front of the TAP ({@link ImpairedDevice}), since this kernel has no netem
     * ({@code CONFIG_NET_SCH_NETEM} is not set); both directions lose, the kernel-to-stack one also delays.
     */
    @Test
    void throughALossyReorderingPathEveryByteArrivesAndSackIsUsed() throws Exception {
        stack.close();
        stack = Stack.create(StackConfig.parse("test.conf", """
                cpu { workers 0 }
                buffers { buffers-per-numa 16384 }
                """));
        String lossyIf = TestNamespace.uniqueName("stl");
        TapDevice tap = TapDevice.open(lossyIf, 1, 1500, TapDevice.randomLocalMac());
        HostLink.configure(lossyIf, namespace.name(), "198.18.10.1/24", null, 1500);
        FaultInjector onReceive = FaultInjector.builder().seed(7).loss(0.02).delay(20_000_000).jitter(5_000_000)
                .reorder(0.05, 5_000_000).duplicate(0.01).build();
        FaultInjector onTransmit = FaultInjector.builder().seed(8).loss(0.02).build();
        stack.addInterface(new ImpairedDevice(tap, onTransmit, onReceive), Ip4Prefix.parse("198.18.10.2/24"));
        stack.start();
        Path in = randomFile("in.bin", 2 * MIB, 2);
        Path out = dir.resolve("out.bin");
        stack.startCapture(dir.resolve("lossy.pcap"), true, true, 200_000);
        EchoServer server = new EchoServer(stack.tcp().listen(0, 5003, 16, buffers, new TcpEvents() { }));
        Process client = namespace.start(dir.resolve("socat.log"), "sh", "-c",
                "socat -b 65536 -t 60 - TCP:198.18.10.2:5003 < " + in + " > " + out);
        assertTrue(drive(() -> !client.isAlive(), server::pump, 180), "the kernel client finished");
        assertEquals(0, client.exitValue(), Files.readString(dir.resolve("socat.log")));
        assertEquals(-1, Files.mismatch(in, out), "the echoed file equals the sent one");
        assertTrue(onReceive.lost() > 0 && onTransmit.lost() > 0 && onReceive.duplicated() > 0,
                "the path lost and duplicated: " + onReceive + " / " + onTransmit);
        long retransmitted = stack.tcp().worker(0).counters()[TcpCounter.RETRANSMITTED_SEGMENTS.ordinal()];
        assertTrue(retransmitted > 0, "the stack retransmitted what the path dropped");
        Path capture = stack.stopCapture().file();
        assumeTrue(TestNamespace.onPath("tshark"), "needs tshark to read the capture");
        String sacks = tshark(capture, "tcp.options.sack_le", "-e", "tcp.options.sack_le");
        assertTrue(sacks.lines().anyMatch(l -> !l.isBlank() && !l.contains("root")), "segments carried SACK blocks");
    }

    @Test
    void tenThousandConnectionsOpenAndCloseAndLeaveNothingBehind() throws Exception {
        assumeTrue(TestNamespace.onPath("python3"), "needs python3 for the kernel-side client");
        EchoServer server = new EchoServer(stack.tcp().listen(0, 5004, 128, buffers, new TcpEvents() { }));
        String script = """
                import socket, sys
                ok = 0
                for i in range(10000):
                    s = socket.create_connection((sys.argv[1], 5004), timeout=5)
                    s.sendall(b'%d' % (i % 10))
                    if s.recv(1) == b'%d' % (i % 10):
                        ok += 1
                    s.close()
                print('ok', ok)
                """;
        Path log = dir.resolve("python.log");
        Process client = namespace.start(log, "python3", "-c", script, STACK_IP);
        assertTrue(drive(() -> !client.isAlive(), server::pump, 200), "the kernel client finished");
        assertTrue(Files.readString(log).contains("ok 10000"), Files.readString(log));
        assertTrue(drive(() -> stack.tcp().worker(0).connectionCount() == 0, server::pump, 20),
                "no connection left: " + stack.tcp().worker(0).connectionCount());
        assertEquals(buffers.allocated.get(), buffers.released.get(), "every buffer pair was given back");
        assertEquals(10_000, buffers.allocated.get());
        server.listener.close();
    }

    /**
     * Kernel connections that arrive together overflow a SYN queue of one: SYN cookies carry them through. The
     * client starts all 200 handshakes with non-blocking connects before it waits for any.
     */
    @Test
    void kernelConnectionsBeyondTheSynQueueAreCarriedBySynCookies() throws Exception {
        assumeTrue(TestNamespace.onPath("python3"), "needs python3 for the kernel-side clients");
        EchoServer server = new EchoServer(stack.tcp().listen(0, 5005, 256, 1, buffers, new TcpEvents() { }));
        String script = """
                import socket, sys, threading
                ok = []
                socks = []
                for i in range(200):
                    s = socket.socket()
                    s.setblocking(False)
                    s.connect_ex((sys.argv[1], 5005))
                    socks.append(s)
                def run(i):
                    s = socks[i]
                    s.setblocking(True)
                    s.settimeout(10)
                    data = b'connection %d ' % i * 100
                    s.sendall(data)
                    got = b''
                    while len(got) < len(data):
                        chunk = s.recv(65536)
                        if not chunk:
                            break
                        got += chunk
                    s.close()
                    if got == data:
                        ok.append(i)
                threads = [threading.Thread(target=run, args=(i,)) for i in range(200)]
                for t in threads: t.start()
                for t in threads: t.join()
                print('ok', len(ok))
                """;
        Path log = dir.resolve("python.log");
        Process client = namespace.start(log, "python3", "-c", script, STACK_IP);
        assertTrue(drive(() -> !client.isAlive(), server::pump, 60), "the kernel clients finished");
        assertTrue(Files.readString(log).contains("ok 200"), Files.readString(log));
        long[] counters = stack.tcp().worker(0).counters();
        assertTrue(counters[TcpCounter.COOKIES_SENT.ordinal()] > 0, "cookies were sent");
        long validated = counters[TcpCounter.COOKIES_VALIDATED.ordinal()];
        // At most one per cookie: a SYN the kernel sent again (a slow SYN-ACK) gets a second cookie, and one ACK.
        assertTrue(validated > 0 && validated <= counters[TcpCounter.COOKIES_SENT.ordinal()],
                "connections made from cookies: " + validated);
        assertEquals(0, counters[TcpCounter.COOKIES_REJECTED.ordinal()], "no cookie the kernel echoed was refused");
        assertEquals(200, counters[TcpCounter.PASSIVE_OPENS.ordinal()]);
    }

    /**
     * The stack closes first, so its side waits in TIME-WAIT; the kernel client connects again at once from the
     * same port, and its SYN (newer timestamp) replaces the waiting connection (RFC 6191) instead of being
     * answered with a challenge ACK and retried a second later.
     */
    @Test
    void aNewSynFromTheSamePortReplacesAConnectionInTimeWait() throws Exception {
        assumeTrue(TestNamespace.onPath("python3"), "needs python3 for the kernel-side client");
        TcpListener listener = stack.tcp().listen(0, 5006, 8, buffers, new TcpEvents() { });
        String script = """
                import socket, sys, time
                start = time.time()
                replies = 0
                for i in range(5):
                    s = socket.socket()
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                    s.bind(('0.0.0.0', 40123))
                    s.settimeout(5)
                    for attempt in range(100):  # until the previous connection left LAST-ACK
                        try:
                            s.connect((sys.argv[1], 5006))
                            break
                        except OSError as e:
                            if e.errno != 99:
                                raise
                            time.sleep(0.005)
                    s.sendall(b'ping')
                    got = b''
                    while True:
                        chunk = s.recv(100)
                        if not chunk:
                            break
                        got += chunk
                    s.close()
                    if got == b'pong':
                        replies += 1
                print('replies', replies, 'seconds', round(time.time() - start, 3))
                """;
        Path log = dir.resolve("python.log");
        Process client = namespace.start(log, "python3", "-c", script, STACK_IP);
        MemorySegment pong = MemorySegment.ofArray("pong".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        MemorySegment scratch = MemorySegment.ofArray(new byte[16]);
        List<TcpFlow> answered = new ArrayList<>();
        assertTrue(drive(() -> !client.isAlive(), () -> {
            TcpFlow flow;
            while ((flow = listener.accept()) != null) {
                answered.add(flow);
            }
            for (TcpFlow f : answered) {
                RingReceiveBuffer receive = (RingReceiveBuffer) f.buffers().receive();
                if (f.attachment() == null && receive.readable() >= 4) {
                    receive.read(scratch, 0, 4);
                    ((RingSendBuffer) f.buffers().send()).write(pong, 0, 4);
                    f.attach(Boolean.TRUE);
                    f.flush();
                    f.close(); // we close first: our side ends in TIME-WAIT
                }
            }
        }, 30), "the kernel client finished");
        String out = Files.readString(log);
        assertTrue(out.contains("replies 5"), "exit " + client.exitValue() + ": " + out);
        double seconds = Double.parseDouble(out.substring(out.indexOf("seconds ") + 8).strip());
        assertTrue(seconds < 1.0, "no SYN waited for a retransmission: " + out);
        assertEquals(4, stack.tcp().worker(0).counters()[TcpCounter.TIME_WAIT_REUSED.ordinal()],
                "the second to fifth SYN each replaced the connection waiting in TIME-WAIT");
    }

    // ---- helpers ----

    /** Runs the stack and {@code app} on this thread until {@code done} or {@code seconds} pass. */
    private boolean drive(BooleanSupplier done, Runnable app, int seconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (done.getAsBoolean()) {
                return true;
            }
            stack.engine().runOnce();
            app.run();
        }
        return done.getAsBoolean();
    }

    /** Connects until the kernel's listener is up (a refused connect is retried for up to 5 s). */
    private TcpSimulation.Endpoint connectWhenListening(int port) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            TcpFlow flow = stack.tcp().connect(0, KERNEL, port, buffers, new TcpEvents() { });
            drive(() -> flow.isClosed() || flow.state().isSynchronized(), () -> { }, 5);
            if (flow.state().isSynchronized()) {
                return new TcpSimulation.Endpoint(flow, 0, 0, 0, 0);
            }
            assertTrue(System.nanoTime() < deadline, "the kernel's listener never answered: " + flow.closeCause());
            drive(() -> false, () -> { }, 0);
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    private String describe(TcpFlow flow) {
        io.sluice.core.tcp.conn.TcpConnection c = flow.connection;
        StringBuilder sb = new StringBuilder(flow + ": una " + Integer.toUnsignedString(c.sndUna()) + " nxt "
                + Integer.toUnsignedString(c.sndNxt()) + " wnd " + c.sndWnd() + " cwnd " + c.congestionControl().cwnd()
                + " rcvNxt " + Integer.toUnsignedString(c.rcvNxt()) + " rcvWnd " + c.rcvWnd() + " rto "
                + c.rttEstimator().rto() + " sendBuffer " + flow.buffers().send().readableBytes() + " receive free "
                + flow.buffers().receive().freeSpace() + " deadline-in " + (c.nextDeadline() - System.nanoTime())
                + " timer " + flow.timer + " armed " + (flow.armedDeadline - System.nanoTime()) + "; counters:");
        long[] counters = stack.tcp().worker(0).counters();
        for (TcpCounter counter : TcpCounter.ALL) {
            sb.append(' ').append(counter.counterName()).append('=').append(counters[counter.ordinal()]);
        }
        return sb.toString();
    }

    private Path randomFile(String name, int bytes, long seed) throws IOException {
        byte[] data = new byte[bytes];
        new Random(seed).nextBytes(data);
        return Files.write(dir.resolve(name), data);
    }

    private static String tshark(Path capture, String filter, String... fields) throws IOException {
        List<String> command = new ArrayList<>(List.of("tshark", "-n", "-r", capture.toString(), "-Y", filter,
                "-T", "fields"));
        command.addAll(List.of(fields));
        return HostLink.run(command.toArray(String[]::new));
    }

    /** Both SYNs offered window scaling, SACK and timestamps, and the data segments carry timestamps. */
    private static void assertOptionsNegotiated(Path capture) throws IOException {
        assumeTrue(TestNamespace.onPath("tshark"), "needs tshark to read the capture");
        String syns = tshark(capture, "tcp.flags.syn == 1", "-e", "tcp.flags.ack", "-e", "tcp.options.wscale.shift",
                "-e", "tcp.options.sack_perm", "-e", "tcp.options.timestamp.tsval", "-e", "tcp.options.mss_val");
        String[] lines = syns.lines().filter(l -> l.contains("\t")).toArray(String[]::new);
        assertEquals(2, lines.length, "a SYN and a SYN-ACK: " + syns);
        for (String line : lines) {
            String[] f = line.split("\t", -1);
            assertTrue(f.length >= 5 && !f[1].isEmpty() && !f[2].isEmpty() && !f[3].isEmpty() && !f[4].isEmpty(),
                    "window scale, SACK permitted, timestamps and MSS in: " + line);
        }
        String data = tshark(capture, "tcp.len > 0", "-e", "tcp.options.timestamp.tsval");
        assertTrue(data.lines().anyMatch(l -> !l.isBlank()), "data segments carry timestamps");
    }

    /** Accepts every connection and sends back what it reads; closes once the peer closed and all was echoed. */
    private static final class EchoServer {
        final TcpListener listener;
        final List<TcpFlow> flows = new ArrayList<>();
        private final MemorySegment chunk = MemorySegment.ofArray(new byte[64 * 1024]);

        EchoServer(TcpListener listener) {
            this.listener = listener;
        }

        void pump() {
            TcpFlow accepted;
            while ((accepted = listener.accept()) != null) {
                flows.add(accepted);
            }
            for (int i = flows.size() - 1; i >= 0; i--) {
                TcpFlow flow = flows.get(i);
                if (flow.isClosed()) {
                    if (flows.size() > 1) {
                        flows.remove(i); // keep the list short in the open/close test; the last one stays for checks
                    }
                    continue;
                }
                RingSendBuffer send = (RingSendBuffer) flow.buffers().send();
                RingReceiveBuffer receive = (RingReceiveBuffer) flow.buffers().receive();
                int room = send.capacity() - send.readableBytes();
                int n = receive.read(chunk, 0, Math.min(room, (int) chunk.byteSize()));
                if (n > 0) {
                    send.write(chunk, 0, n);
                    flow.flush();
                }
                if (receive.readable() == 0 && peerClosed(flow) && flow.attachment() == null) {
                    flow.attach(Boolean.TRUE); // close once
                    flow.close();
                }
            }
        }

        private static boolean peerClosed(TcpFlow flow) {
            return switch (flow.state()) {
                case CLOSE_WAIT, LAST_ACK, CLOSING, TIME_WAIT -> true;
                default -> false;
            };
        }
    }
}
