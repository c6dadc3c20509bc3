package io.sluice.core.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.core.config.StackConfig;
import io.sluice.core.engine.LoopStats;
import io.sluice.core.graph.Graph;
import io.sluice.core.iface.Interface;
import io.sluice.core.iface.RxMode;
import io.sluice.core.l4.UdpDatagram;
import io.sluice.core.l4.UdpSocket;
import io.sluice.core.phy.HostLink;
import io.sluice.core.testing.TestNamespace;
import io.sluice.core.wire.MacAddress;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole stack against the Linux kernel: a stack made from a {@code startup.conf} with a TAP interface whose
 * Linux side lives in a namespace the test creates (198.18.0.1/24 there, the stack at 198.18.0.2/24). The kernel's
 * own tools are the peers: {@code ping}, {@code arping}, a Python UDP client, and {@code tshark} reading the
 * stack's capture. Skipped, saying why, without root, {@code /dev/net/tun} or the tools.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StackTapTest {

    private static final String STACK_IP = "198.18.0.2";

    @TempDir
    Path dir;

    private TestNamespace namespace;
    private Stack stack;
    private String ifName;

    @BeforeEach
    void startStack() throws Exception {
        start(1);
    }

    /** A stack of {@code workers} workers on a TAP of as many queues. */
    private void start(int workers) throws Exception {
        TestNamespace.assumeAvailable();
        namespace = TestNamespace.create("sls");
        ifName = TestNamespace.uniqueName("slt");
        stack = Stack.create(StackConfig.parse("test.conf", """
                cpu { workers %d }
                buffers { buffers-per-numa 8192 }
                tap {
                  host-if-name %s
                  host-ns %s
                  host-ip4-addr 198.18.0.1/24
                  ip4-addr %s/24
                  num-rx-queues %d
                }
                """.formatted(workers, ifName, namespace.name(), STACK_IP, workers)));
        stack.start();
    }

    /**
     * Two workers, a TAP queue each, and flows spread over both. Each worker has its own ARP table; a gratuitous ARP
     * announcing the kernel's new MAC arrives on one queue only, yet every worker must take the new MAC (arp-input
     * copies ARP packets to the other workers), or the worker that did not see it would keep sending to the old MAC
     * and its flows would go unanswered. 400 datagrams from 40 source ports before and after the change.
     */
    @Test
    void withTwoWorkersEveryWorkerLearnsTheNeighbourAndAnswers() throws Exception {
        assumeTrue(TestNamespace.onPath("python3"), "needs python3 for the kernel-side UDP client");
        stack.close();
        namespace.close();
        start(2);
        stack.udp().startEcho(0, 7);
        String flows = """
                import socket, sys
                ok = 0
                for p in range(40):
                    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                    s.settimeout(1)
                    s.bind(('0.0.0.0', 20000 + p))
                    for i in range(10):
                        data = b'flow %d datagram %d' % (p, i)
                        s.sendto(data, (sys.argv[1], 7))
                        try:
                            if s.recv(100) == data:
                                ok += 1
                        except socket.timeout:
                            pass
                    s.close()
                print('ok', ok)
                """;
        String out = namespace.exec("python3", "-c", flows, STACK_IP);
        assertTrue(out.contains("ok 400"), out);
        assumeTrue(TestNamespace.onPath("arping"), "needs arping (iputils-arping) to announce the new MAC");
        String newMac = "02:5c:00:00:0a:0b";
        namespace.exec("ip", "link", "set", "dev", ifName, "address", newMac);
        namespace.exec("arping", "-U", "-c", "2", "-I", ifName, "198.18.0.1");
        out = namespace.exec("python3", "-c", flows, STACK_IP);
        assertTrue(out.contains("ok 400"), "every worker sends to the new MAC: " + out);
        long kernel = stack.arpEntries().stream().filter(e -> e.ip().toString().equals("198.18.0.1")
                && e.mac().toString().equals(newMac)).count();
        assertEquals(2, kernel, "each worker's table holds 198.18.0.1 at the new MAC: " + stack.arpEntries());
        for (int w = 0; w < 2; w++) {
            long echoed = stack.onWorker(w, view -> view.graph().errors().stream()
                    .filter(e -> e.symbol().equals("echo-replied")).mapToLong(Graph.ErrorCount::count).sum());
            assertTrue(echoed > 0, "worker " + w + " answered some flows (the kernel used both queues)");
        }
    }

    @AfterEach
    void stopStack() throws IOException {
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

    /** {@code -w}: ping waits for every reply up to the deadline, so a slow reply is not miscounted as lost. */
    @Test
    void twoHundredQuickPingsAllGetReplies() throws Exception {
        assumeTrue(TestNamespace.onPath("ping"), "needs ping (iputils-ping)");
        String out = namespace.exec("ping", "-n", "-q", "-c", "200", "-i", "0.002", "-w", "8", STACK_IP);
        assertTrue(out.contains("200 packets transmitted, 200 received"), out);
    }

    @Test
    void arpingResolvesTheStack() throws Exception {
        assumeTrue(TestNamespace.onPath("arping"), "needs arping (iputils-arping)");
        String out = namespace.exec("arping", "-c", "3", "-w", "5", "-I", ifName, STACK_IP);
        Matcher m = Pattern.compile("Received (\\d+) response").matcher(out);
        assertTrue(m.find(), out);
        assertEquals(3, Integer.parseInt(m.group(1)), out);
        String mac = MacAddress.format(stack.interfaces().get(0).macAddress());
        assertTrue(out.toLowerCase().contains(mac), "arping reports the stack's MAC " + mac + ": " + out);
    }

    /** 10,000 datagrams of sizes from 0 to 1472 bytes, each sent and awaited in turn, all echoed intact. */
    @Test
    void tenThousandUdpDatagramsOfMixedSizesRoundTripThroughTheEchoService() throws Exception {
        assumeTrue(TestNamespace.onPath("python3"), "needs python3 for the kernel-side UDP client");
        stack.udp().startEcho(0, 7);
        String out = namespace.exec("python3", "-c", UDP_CLIENT, STACK_IP, "7", "10000");
        assertTrue(out.contains("ok 10000"), out);
    }

    /** A socket of the stack's own: receives the kernel's datagram and answers it. */
    @Test
    void aStackUdpSocketReceivesAndAnswers() throws Exception {
        assumeTrue(TestNamespace.onPath("python3"), "needs python3 for the kernel-side UDP client");
        try (UdpSocket socket = stack.udp().bind(0, 9000)) {
            Thread server = Thread.ofPlatform().start(() -> {
                UdpDatagram d = new UdpDatagram(2048);
                try {
                    for (int i = 0; i < 100; i++) {
                        if (!socket.receive(d, 10, TimeUnit.SECONDS)) {
                            return;
                        }
                        byte[] reply = ("re:" + new String(d.payload(), 0, d.length(), StandardCharsets.UTF_8))
                                .getBytes(StandardCharsets.UTF_8);
                        while (!socket.send(d.remoteAddress(), d.remotePort(), reply, 0, reply.length)) {
                            Thread.onSpinWait();
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            String out = namespace.exec("python3", "-c", UDP_CLIENT_PREFIXED, STACK_IP, "9000", "100");
            server.join(10_000);
            assertTrue(out.contains("ok 100"), out);
        }
    }

    @Test
    void aCaptureTheStackWroteIsReadByTshark() throws Exception {
        assumeTrue(TestNamespace.onPath("tshark"), "needs tshark to read the capture");
        assumeTrue(TestNamespace.onPath("ping"), "needs ping (iputils-ping)");
        Path file = dir.resolve("stack.pcap");
        stack.startCapture(file, true, true, 1000);
        namespace.exec("ping", "-n", "-q", "-c", "5", "-i", "0.05", "-w", "8", STACK_IP);
        Stack.CaptureResult result = stack.stopCapture();
        assertTrue(result.packets() >= 10, "5 requests and 5 replies at least: " + result.packets());
        String requests = HostLink.run("tshark", "-n", "-r", file.toString(), "-Y", "icmp.type == 8");
        String replies = HostLink.run("tshark", "-n", "-r", file.toString(), "-Y",
                "icmp.type == 0 && ip.src == " + STACK_IP);
        assertEquals(5, requests.lines().filter(l -> l.contains("Echo (ping) request")).count(), requests);
        assertEquals(5, replies.lines().filter(l -> l.contains("Echo (ping) reply")).count(), replies);
        String times = HostLink.run("tshark", "-n", "-r", file.toString(), "-T", "fields", "-e", "frame.time_epoch");
        // tshark's output is interleaved with its warnings (running as root): take the first number.
        double first = Double.parseDouble(times.lines().filter(l -> l.matches("[0-9.]+")).findFirst().orElseThrow());
        assertTrue(Math.abs(first - System.currentTimeMillis() / 1000.0) < 60,
                "records carry the wall clock: " + first);
    }

    @Test
    void theStackAnswersWithPortUnreachableForAClosedPort() throws Exception {
        assumeTrue(TestNamespace.onPath("python3"), "needs python3 for the kernel-side UDP client");
        String out = namespace.exec("python3", "-c", """
                import socket, sys
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                s.settimeout(2)
                s.connect((sys.argv[1], 9999))
                s.send(b'anyone?')
                try:
                    s.recv(100)
                    print('answered')
                except ConnectionRefusedError:
                    print('refused')
                except socket.timeout:
                    print('timeout')
                """, STACK_IP);
        assertEquals("refused", out.strip(), "the kernel turned our ICMP port unreachable into ECONNREFUSED");
    }

    /** rx-mode polling keeps the worker awake (no sleeps while passes go on); adaptive lets it sleep again. */
    @Test
    void aPollingInterfaceKeepsItsWorkerAwake() throws Exception {
        Interface tap = stack.interfaces().get(0);
        stack.setRxMode(tap, RxMode.POLLING);
        Thread.sleep(50);
        LoopStats before = stack.engine().loopStats().get(0);
        Thread.sleep(300);
        LoopStats after = stack.engine().loopStats().get(0);
        assertEquals(before.sleeps(), after.sleeps(), "a polling worker does not sleep");
        assertTrue(after.passes() - before.passes() > 1_000, "it polls: " + (after.passes() - before.passes()));
        stack.setRxMode(tap, RxMode.ADAPTIVE);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (stack.engine().loopStats().get(0).sleeps() == after.sleeps() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(stack.engine().loopStats().get(0).sleeps() > after.sleeps(), "adaptive: it sleeps again");
    }

    /** Sends N datagrams of sizes cycling 0..1472 (a prime stride), each awaited; prints "ok N" if all matched. */
    private static final String UDP_CLIENT = """
            import os, socket, sys
            host, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.settimeout(2)
            ok = 0
            for i in range(count):
                size = (i * 397) % 1473
                data = os.urandom(size)
                s.sendto(data, (host, port))
                got, peer = s.recvfrom(2048)
                if got != data or peer[0] != host:
                    print('mismatch at', i, len(got), size, peer)
                    sys.exit(1)
                ok += 1
            print('ok', ok)
            """;

    /** As {@link #UDP_CLIENT}, but the answer must be the datagram prefixed with "re:". */
    private static final String UDP_CLIENT_PREFIXED = """
            import socket, sys
            host, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.settimeout(5)
            ok = 0
            for i in range(count):
                data = ('datagram %d' % i).encode()
                s.sendto(data, (host, port))
                got, peer = s.recvfrom(2048)
                if got != b're:' + data:
                    print('mismatch at', i, got)
                    sys.exit(1)
                ok += 1
            print('ok', ok)
            """;
}
