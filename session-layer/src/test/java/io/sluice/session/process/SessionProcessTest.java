package io.sluice.session.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.core.phy.HostLink;
import io.sluice.core.sys.UnixSocket;
import io.sluice.session.app.SessionApplication;
import io.sluice.session.attach.AttachCodec;
import io.sluice.session.attach.AttachMessage;
import io.sluice.session.attach.AttachStatus;
import io.sluice.session.control.ControlClient;
import io.sluice.session.control.ControlReply;
import io.sluice.session.control.ControlRequest;
import io.sluice.session.control.ControlTable;
import io.sluice.session.daemon.StackDaemon;
import io.sluice.session.testing.ChildJvm;
import io.sluice.session.testing.RawAttach;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The session layer across processes: a stack daemon (a child JVM with a TAP whose Linux side is in a namespace the
 * test makes), applications in child JVMs on the application API ({@link SessionPeer}), and kernel peers (Python) in
 * the namespace. Bytes are checked end to end with CRC-32 over {@link TestPattern}.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class SessionProcessTest {

    private static final String STACK = "198.18.7.2";
    private static final String KERNEL = "198.18.7.1";
    private static final Pattern RECEIVED = Pattern.compile("received (\\d+) crc (\\d+)");
    private static final Pattern SENT = Pattern.compile("sent (\\d+) crc (\\d+)");
    private static final long TENANT_SECRET = 0x5eed_1234L;
    /** Applications killed one after another in the kill test. */
    private static final int KILL_ROUNDS = 3;

    @TempDir
    Path dir;

    private String namespace;
    private Path cli;
    private Path appSocket;
    private ChildJvm daemon;
    private Path conf;

    @BeforeEach
    void startDaemon() throws Exception {
        String reason = HostLink.tapUnavailableReason();
        assumeTrue(reason == null, reason);
        assumeTrue(HostLink.onPath("python3"), "the kernel peers are Python programs (python3)");
        String suffix = Long.toString(ProcessHandle.current().pid() % 100_000);
        namespace = "slsp" + suffix;
        cli = dir.resolve("cli.sock");
        appSocket = dir.resolve("app.sock");
        Path conf = dir.resolve("startup.conf");
        Files.writeString(conf, """
                unix { cli-listen %s }
                session { use-app-socket-api app-socket-api %s }
                cpu { workers 2 }
                buffers { buffers-per-numa 16384 }
                tap { host-if-name slst%s host-ns %s host-ip4-addr %s/24 ip4-addr %s/24 }
                app-namespace { id tenant-a secret %d }
                """.formatted(cli, appSocket, suffix, namespace, KERNEL, STACK, TENANT_SECRET));
        this.conf = conf;
        daemon = startDaemon("daemon.log");
    }

    private ChildJvm startDaemon(String log) throws Exception {
        ChildJvm started = ChildJvm.start(StackDaemon.class, dir.resolve(log), "-c", conf.toString());
        started.awaitOutput("applications attach on", 30);
        return started;
    }

    @AfterEach
    void stopDaemon() throws Exception {
        try {
            if (daemon != null) {
                daemon.stop(20);
            }
        } finally {
            if (namespace != null && HostLink.namespaceExists(namespace)) {
                HostLink.deleteNamespace(namespace);
            }
        }
    }

    @Test
    void aGibibyteFromAKernelPeerAndBackOutThroughTheTap() throws Exception {
        long inbound = 1L << 30;
        long outbound = 256L << 20;
        try (ChildJvm sink = peer("sink", "sink", appSocket.toString(), "7001")) {
            await("the sink listens", () -> logOf(sink).contains("listening on 7001"), 30);
            Process sender = kernelSender("send.log", 7001, inbound);
            assertTrue(sender.waitFor(180, TimeUnit.SECONDS), "the kernel sender finished: " + read("send.log"));
            await("the sink read to the end", () -> RECEIVED.matcher(logOf(sink)).find(), 60);
            long[] got = numbers(RECEIVED, logOf(sink));
            long[] sent = numbers(SENT, read("send.log"));
            assertEquals(inbound, got[0], logOf(sink));
            assertEquals(sent[1], got[1], "the CRC-32 of what the kernel sent and the application read");
            assertEquals(TestPattern.crc(inbound), got[1], "and both are the pattern's");
            await("the sink's session was cleaned up", () -> logOf(sink).contains("cleaned up"), 30);
        }

        Process receiver = python("receive.log", """
                import socket, zlib
                l = socket.socket()
                l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                l.bind(('%s', 7002))
                l.listen(1)
                print('listening', flush=True)
                l.settimeout(60)
                c, _ = l.accept()
                c.settimeout(60)
                crc, n = 0, 0
                while True:
                    b = c.recv(1 << 20)
                    if not b:
                        break
                    crc = zlib.crc32(b, crc)
                    n += len(b)
                print('received', n, 'crc', crc, flush=True)
                """.formatted(KERNEL));
        await("the kernel listens", () -> read("receive.log").contains("listening"), 30);
        try (ChildJvm source = peer("source", "source", appSocket.toString(), KERNEL, "7002",
                Long.toString(outbound))) {
            assertTrue(receiver.waitFor(120, TimeUnit.SECONDS), "the kernel receiver finished: "
                    + read("receive.log") + "\n" + source.logTail());
            long[] got = numbers(RECEIVED, read("receive.log") + "\n--- the application:\n" + logOf(source));
            assertEquals(outbound, got[0], read("receive.log"));
            assertEquals(TestPattern.crc(outbound), got[1], "the kernel received the pattern intact");
            await("the source's session was cleaned up", () -> logOf(source).contains("cleaned up"), 30);
            assertEquals(got[1], numbers(SENT, logOf(source))[1], logOf(source));
        }
    }

    @Test
    void aGibibyteCutThroughBetweenTwoApplicationProcesses() throws Exception {
        long bytes = 1L << 30;
        try (ChildJvm sink = peer("ct-sink", "sink", appSocket.toString(), "7010")) {
            await("the sink listens", () -> logOf(sink).contains("listening on 7010"), 30);
            long start = System.nanoTime();
            try (ChildJvm source = peer("ct-source", "source", appSocket.toString(), STACK, "7010",
                    Long.toString(bytes))) {
                await("the source connected", () -> logOf(source).contains("connected"), 30);
                assertTrue(logOf(source).contains("cut-through"), "the session is cut through: " + logOf(source));
                ControlTable sessions = table(new ControlRequest.ShowSession(false));
                assertTrue(sessions.rows().stream().filter(r -> r.toString().contains("CUT_THROUGH")).count() >= 1,
                        "show session lists the cut-through sides: " + sessions.rows());
                await("the sink read to the end", () -> RECEIVED.matcher(logOf(sink)).find(), 120);
                double seconds = (System.nanoTime() - start) / 1e9;
                long[] got = numbers(RECEIVED, logOf(sink));
                long[] sent = numbers(SENT, logOf(source));
                assertEquals(bytes, got[0], logOf(sink));
                assertEquals(sent[1], got[1], "the CRC-32 of what one application sent and the other read");
                assertEquals(TestPattern.crc(bytes), got[1], "and both are the pattern's");
                System.out.printf("cut-through between two processes: 1 GiB in %.2f s (%.1f Gbit/s, with CRCs)%n",
                        seconds, bytes * 8 / seconds / 1e9);
                await("both sides cleaned up", () -> logOf(source).contains("cleaned up")
                        && logOf(sink).contains("cleaned up"), 30);
            }
        }
        assertEquals(0, table(new ControlRequest.ShowTcp()).rows().size(), "no byte went through TCP");
        await("nothing is left of either application", () -> appRows(new ControlRequest.ShowApp()) == 0
                && appRows(new ControlRequest.ShowSession(false)) == 0, 30);
    }

    @Test
    void killedApplicationsLeaveNothingBehindAndTheirPeersAreReset() throws Exception {
        // Every control request the test makes below, once, first: whatever they open lazily is in the baseline.
        appRows(new ControlRequest.ShowApp());
        appRows(new ControlRequest.ShowSegment());
        appRows(new ControlRequest.ShowMq());
        appRows(new ControlRequest.ShowSession(false));
        long baselineBuffers = quietBuffersInUse();
        long baselineFds = openFds(daemon.pid());
        String baselineList = fdList(daemon.pid());
        for (int round = 0; round < KILL_ROUNDS; round++) {
            String flood = "flood-" + round + ".log";
            Process sender;
            try (ChildJvm holder = peer("hold-" + round, "hold", appSocket.toString(), "7003")) {
                await("the holder listens", () -> logOf(holder).contains("listening on 7003"), 30);
                sender = python(flood, """
                        import socket, time
                        s = socket.create_connection(('%s', 7003), timeout=30)
                        block = bytes(1 << 16)
                        deadline = time.time() + 60
                        try:
                            while time.time() < deadline:
                                s.sendall(block)
                            print('never reset', flush=True)
                        except (ConnectionResetError, BrokenPipeError) as e:
                            print('reset', type(e).__name__, flush=True)
                        """.formatted(STACK));
                await("bytes flow to the holder", () -> logOf(holder).contains("reading"), 30);
                assertEquals(1, appRows(new ControlRequest.ShowApp()), "the holder is attached");
                holder.kill(); // mid-transfer
            }
            assertTrue(sender.waitFor(60, TimeUnit.SECONDS), "the kernel sender stopped");
            assertTrue(read(flood).startsWith("reset"), "round " + round + ": the stack reset the killed"
                    + " application's connection: " + read(flood));
            await("the stack forgot the application", () -> appRows(new ControlRequest.ShowApp()) == 0, 30);
        }
        assertEquals(0, appRows(new ControlRequest.ShowSession(false)), "no session left");
        assertEquals(0, appRows(new ControlRequest.ShowSegment()), "no segment left");
        assertEquals(0, appRows(new ControlRequest.ShowMq()), "no queue left");
        // At most the baseline's count (a control connection counted in it may have closed since), and no memfd.
        await(() -> "the stack closed the applications' descriptors: before " + baselineList + "\nnow "
                + fdList(daemon.pid()), () -> openFds(daemon.pid()) <= baselineFds
                && !fdList(daemon.pid()).contains("memfd:"), 30);
        await(() -> "every packet buffer came back: " + baselineBuffers + " in use before, " + buffersInUse()
                + " now\n" + table(new ControlRequest.ShowTcp()) + "\n" + table(new ControlRequest.ShowErrors())
                + "\n" + table(new ControlRequest.ShowInterfaces()), () -> buffersInUse() <= baselineBuffers, 30);
    }

    @Test
    void attachFaultsGetTheirErrorWhileAnotherApplicationKeepsTransferring() throws Exception {
        long inbound = 512L << 20;
        try (ChildJvm sink = peer("busy-sink", "sink", appSocket.toString(), "7020")) {
            await("the sink listens", () -> logOf(sink).contains("listening on 7020"), 30);
            Process sender = kernelSender("busy-send.log", 7020, inbound);
            await("the transfer runs", () -> logOf(sink).contains("accepted"), 30);
            AttachMessage.Attach good = new AttachMessage.Attach("intruder", "", 0, 4096, 4096, 1 << 20, 64, true,
                    true);
            long pid = ProcessHandle.current().pid();
            try (UnixSocket raw = RawAttach.connect(appSocket.toString())) {
                Map.Entry<AttachStatus, String> garbage = RawAttach.refusal(RawAttach.exchange(raw,
                        "GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
                assertEquals(AttachStatus.BAD_MAGIC, garbage.getKey(), garbage.getValue());

                byte[] whole = AttachCodec.encode(good);
                byte[] truncated = Arrays.copyOf(whole, whole.length - 7);
                ByteBuffer.wrap(truncated).putInt(8, truncated.length); // a consistent header, a body cut short
                assertEquals(AttachStatus.TRUNCATED, RawAttach.refusal(RawAttach.exchange(raw, truncated)).getKey());

                byte[] future = AttachCodec.encode(good);
                ByteBuffer.wrap(future).putShort(4, (short) 3);
                assertEquals(Map.entry(AttachStatus.VERSION_MISMATCH, "ATTACH from pid " + pid
                        + ": protocol version 3, this stack speaks 1"),
                        RawAttach.refusal(RawAttach.exchange(raw, future)));

                AttachMessage.Attach guess = new AttachMessage.Attach("intruder", "tenant-a", TENANT_SECRET + 1, 4096,
                        4096, 1 << 20, 64, true, true);
                assertEquals(Map.entry(AttachStatus.BAD_SECRET, "ATTACH from pid " + pid
                        + ": wrong secret for application namespace 'tenant-a'"),
                        RawAttach.refusal(RawAttach.exchange(raw, AttachCodec.encode(guess))));
            }
            try (SessionApplication tenant = SessionApplication.attach(appSocket, new AttachMessage.Attach("tenant",
                    "tenant-a", TENANT_SECRET, 4096, 4096, 1 << 20, 64, true, true))) {
                assertTrue(tenant.isConnected(), "the right secret is let in");
            }

            assertTrue(sender.waitFor(120, TimeUnit.SECONDS), "the kernel sender finished");
            await("the sink read to the end", () -> RECEIVED.matcher(logOf(sink)).find(), 60);
            long[] got = numbers(RECEIVED, logOf(sink));
            assertEquals(inbound, got[0], logOf(sink));
            assertEquals(numbers(SENT, read("busy-send.log"))[1], got[1], "the other application's bytes intact");
        }
    }

    @Test
    void whenTheStackDiesTheApplicationSaysSoAndAttachesToTheNextOne() throws Exception {
        try (ChildJvm app = peer("reattach", "reattach", appSocket.toString(), "7030")) {
            await("the application listens", () -> logOf(app).contains("listening on 7030"), 30);
            daemon.kill();
            long killed = System.nanoTime();
            await("the application noticed", () -> logOf(app).contains("disconnected: ABORTED"), 15);
            assertTrue(logOf(app).contains("the stack closed the attach connection"), logOf(app));
            System.out.printf("the application noticed the dead stack after %d ms%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed));

            daemon.close();
            daemon = startDaemon("daemon-2.log"); // over the dead one's socket file and namespace
            await("the application attached again", () -> logOf(app).split("attached as application", -1).length == 3,
                    30);
            await("it listens on the new stack", () -> logOf(app).split("listening on 7030", -1).length == 3, 30);
            long bytes = 16L << 20;
            Process sender = kernelSender("again.log", 7030, bytes);
            assertTrue(sender.waitFor(60, TimeUnit.SECONDS), "the kernel sender finished: " + read("again.log"));
            await("the application read to the end", () -> RECEIVED.matcher(logOf(app)).find(), 30);
            assertEquals(TestPattern.crc(bytes), numbers(RECEIVED, logOf(app))[1], logOf(app));
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /** A kernel peer in the namespace that connects to the stack's {@code port} and sends the pattern. */
    private Process kernelSender(String log, int port, long bytes) throws IOException {
        return python(log, """
                import socket, zlib
                %s
                s = socket.create_connection(('%s', %d), timeout=30)
                crc, sent, k = 0, 0, 0
                total = %d
                while sent < total:
                    c = chunk(k)[:min(1 << 20, total - sent)]
                    s.sendall(c)
                    crc = zlib.crc32(c, crc)
                    sent += len(c)
                    k += 1
                s.shutdown(socket.SHUT_WR)
                print('sent', sent, 'crc', crc, flush=True)
                s.recv(1)
                s.close()
                """.formatted(TestPattern.PYTHON, STACK, port, bytes));
    }

    private ChildJvm peer(String log, String... args) throws IOException {
        return ChildJvm.start(SessionPeer.class, dir.resolve(log + ".log"), args);
    }

    private Process python(String log, String script) throws IOException {
        return new ProcessBuilder(HostLink.inNamespace(namespace, "python3", "-c", script)).redirectErrorStream(true)
                .redirectOutput(dir.resolve(log).toFile()).start();
    }

    private String read(String log) {
        try {
            File file = dir.resolve(log).toFile();
            return file.exists() ? Files.readString(file.toPath()) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static String logOf(ChildJvm child) {
        try {
            return child.log();
        } catch (IOException e) {
            return "";
        }
    }

    private static long[] numbers(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        assertTrue(m.find(), pattern + " in:\n" + text);
        return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))};
    }

    private static long openFds(long pid) {
        String[] fds = new File("/proc/" + pid + "/fd").list();
        return fds == null ? -1 : fds.length;
    }

    private static String fdList(long pid) {
        File[] fds = new File("/proc/" + pid + "/fd").listFiles();
        if (fds == null) {
            return "(none)";
        }
        StringBuilder out = new StringBuilder();
        for (File fd : fds) {
            try {
                out.append(fd.getName()).append("->").append(Files.readSymbolicLink(fd.toPath())).append(' ');
            } catch (IOException e) {
                out.append(fd.getName()).append("->? ");
            }
        }
        return out.toString();
    }

    private int appRows(ControlRequest request) {
        return table(request).rows().size();
    }

    /**
     * The fewest buffers in use over a few samples: a sample can catch one in flight (a packet the worker is
     * handling, ARP or ICMP from the kernel side), seen as a baseline of 1 that the idle stack then went below.
     */
    private long quietBuffersInUse() throws InterruptedException {
        long fewest = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            fewest = Math.min(fewest, buffersInUse());
            Thread.sleep(20);
        }
        return fewest;
    }

    private long buffersInUse() {
        ControlTable buffers = table(new ControlRequest.ShowBuffers());
        int column = buffers.columns().stream().map(c -> c.name()).toList().indexOf("in-use");
        return (Long) buffers.rows().get(0).get(column);
    }

    private ControlTable table(ControlRequest request) {
        try (ControlClient client = ControlClient.connect(cli)) {
            ControlReply reply = client.request(request);
            if (reply instanceof ControlReply.Tables tables) {
                return tables.tables().get(0);
            }
            throw new AssertionError(request + ": " + reply);
        } catch (IOException e) {
            throw new AssertionError(request + ": " + e.getMessage(), e);
        }
    }

    private static void await(String what, BooleanSupplier condition, int seconds) throws InterruptedException {
        await(() -> what, condition, seconds);
    }

    private static void await(Supplier<String> what, BooleanSupplier condition, int seconds)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out: " + what.get());
            }
            Thread.sleep(50);
        }
    }
}
