package io.sluice.comms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.core.config.ConfigException;
import io.sluice.core.config.VclConfig;
import io.sluice.core.config.VclConfigLocator;
import io.sluice.core.phy.HostLink;
import io.sluice.core.wire.Ip4Address;
import io.sluice.session.control.ControlClient;
import io.sluice.session.control.ControlReply;
import io.sluice.session.control.ControlRequest;
import io.sluice.session.daemon.StackDaemon;
import io.sluice.session.testing.ChildJvm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * The library against a stack daemon in a child JVM ({@code bin/sluice stack}'s {@link StackDaemon}), as an
 * application uses it in production, where the other tests of this module run the stack embedded.
 *
 * <p>The daemon has one worker and a TAP whose Linux side stays in the host's namespace with no address of its own
 * ({@code sldt} + pid, 198.18.12.2/24 for the stack): the TAP only gives the stack an address, and every session here
 * is between two applications of the one daemon, so cut through shared memory without a packet on the TAP. Covered:
 *
 * <ul>
 *   <li>attaching through a {@code vcl.conf} named by {@value VclConfigLocator#PROPERTY} and through a
 *       {@link VclConfig} built in code: the daemon lists the application, the FIFOs have the configured sizes;
 *   <li>two applications, one in a second child JVM ({@link Peer}): 8 MiB each way with CRC-32 equal on both sides,
 *       a half-close (the reader sees end of stream, the other direction goes on), close, nothing left in the daemon;
 *   <li>errors and their codes: a connect nobody accepts, a port listened on twice, a socket with no daemon, a bad
 *       {@code vcl.conf} line;
 *   <li>the daemon killed (SIGKILL) under a waiting read: it fails promptly with {@code ABORTED}, so do the calls
 *       after it, and the application attaches to a new daemon on the same socket path;
 *   <li>the per-thread worker rule: another thread gets {@code WRONG_THREAD} for this thread's connection and
 *       listener, and a worker of its own (the daemon counts two) for connections of its own.
 * </ul>
 *
 * <p>Every child process is killed after each test, failed or not. Skipped, with the reason, where TAP interfaces
 * cannot be made ({@link HostLink#tapUnavailableReason()}).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SluiceDaemonTest {

    private static final String STACK = "198.18.12.2";
    private static final int STACK_ADDRESS = Ip4Address.parse(STACK).bits();
    private static final int TIMEOUT_MILLIS = 10_000;
    private static final int CHUNK = 64 << 10;

    @TempDir
    Path dir;

    private Path cli;
    private Path appSocket;
    private Path startup;
    private ChildJvm daemon;
    private ChildJvm peer;

    @BeforeEach
    void startDaemon() throws Exception {
        String reason = HostLink.tapUnavailableReason();
        assumeTrue(reason == null, reason);
        String suffix = Long.toString(ProcessHandle.current().pid() % 100_000);
        cli = dir.resolve("cli.sock");
        appSocket = dir.resolve("app.sock");
        startup = dir.resolve("startup.conf");
        Files.writeString(startup, """
                unix { cli-listen %s }
                session { use-app-socket-api app-socket-api %s }
                cpu { workers 1 }
                buffers { buffers-per-numa 4096 }
                tap { host-if-name sldt%s ip4-addr %s/24 }
                """.formatted(cli, appSocket, suffix, STACK));
        daemon = startDaemon("daemon.log");
    }

    private ChildJvm startDaemon(String log) throws Exception {
        ChildJvm started = ChildJvm.start(StackDaemon.class, dir.resolve(log), "-c", startup.toString());
        try {
            started.awaitOutput("applications attach on", 30);
        } catch (AssertionError e) {
            started.close(); // a daemon that never served is not left running
            throw e;
        }
        return started;
    }

    @AfterEach
    void stopChildren() throws Exception {
        try {
            if (peer != null) {
                peer.close();
            }
        } finally {
            if (daemon != null) {
                daemon.stop(20);
            }
        }
    }

    @Test
    void attachesThroughAVclConfFileAndThroughAConfigurationBuiltInCode() throws Exception {
        Path file = dir.resolve("vcl.conf");
        Files.writeString(file, """
                vcl {
                  rx-fifo-size 65536
                  tx-fifo-size 65536
                  app-socket-api %s
                }
                """.formatted(appSocket));
        String before = System.getProperty(VclConfigLocator.PROPERTY);
        System.setProperty(VclConfigLocator.PROPERTY, file.toString());
        try (Sluice fromFile = Sluice.attach("from-file")) {
            assertEquals(65536, fromFile.config().rxFifoSize());
            assertEquals(List.of("from-file"), appNames(), "the daemon lists the application");
        } finally {
            restoreProperty(before);
        }

        VclConfig inCode = new VclConfig(128 << 10, 32 << 10, 4 << 20, 4 << 20, Optional.of(appSocket), true, 4096,
                Optional.empty(), 0, true, true);
        try (Sluice built = Sluice.attach("built-in-code", inCode);
                Sluice other = Sluice.attach("other", VclConfig.parse("other", vcl(appSocket)));
                SluiceListener listener = other.listen(Ip4Address.ANY, 7500, 4)) {
            await("the daemon lists both", () -> appNames().containsAll(List.of("built-in-code", "other")), 10);
            SluiceConnection client = built.connect(STACK_ADDRESS, 7500, TIMEOUT_MILLIS);
            SluiceConnection server = listener.accept(TIMEOUT_MILLIS);
            assertTrue(client.isCutThrough(), "two applications of one daemon talk through shared memory");
            assertEquals(128 << 10, client.receiveBufferSize(), "rx-fifo-size from the VclConfig");
            assertEquals(32 << 10, client.sendBufferSize(), "tx-fifo-size from the VclConfig");
            client.close();
            server.close();
        }
        await("the daemon forgot all three", () -> appNames().isEmpty(), 10);
    }

    @Test
    void twoApplicationsExchangeEightMebibytesEachWayThroughAHalfClose() throws Exception {
        long bytes = 8L << 20;
        try (Sluice sluice = Sluice.attach("daemon-server", VclConfig.parse("server", vcl(appSocket)));
                SluiceListener listener = sluice.listen(Ip4Address.ANY, 7510, 4)) {
            peer = ChildJvm.start(Peer.class, dir.resolve("peer.log"), appSocket.toString(), STACK, "7510",
                    Long.toString(bytes));
            SluiceConnection server = listener.accept(30_000);
            assertTrue(server.isCutThrough(), server.toString());
            CRC32 in = new CRC32();
            assertEquals(bytes, readToEnd(server, in), "the peer's bytes up to its half-close");
            peer.awaitOutput("sent ", 10);
            assertEquals("sent " + bytes + " crc " + in.getValue(), line(peer.log(), "sent "),
                    "what the peer sent, as this side read it");

            long crc = send(server, bytes, 7);
            server.close();
            assertEquals(0, peer.awaitExit(30, TimeUnit.SECONDS), peer.logTail());
            assertEquals("received " + bytes + " crc " + crc, line(peer.log(), "received "),
                    "the other direction after the peer's half-close: " + peer.logTail());
        }
        await("no session or application left in the daemon",
                () -> rows(new ControlRequest.ShowSession(false)) == 0 && appNames().isEmpty(), 10);
    }

    @Test
    void failuresCarryTheirCodesAndNameWhatFailed() throws Exception {
        try (Sluice one = Sluice.attach("errors-one", VclConfig.parse("one", vcl(appSocket)));
                Sluice two = Sluice.attach("errors-two", VclConfig.parse("two", vcl(appSocket)));
                SluiceListener listener = one.listen(Ip4Address.ANY, 7520, 4)) {
            SluiceException refused = assertThrows(SluiceException.class,
                    () -> two.connect(STACK_ADDRESS, 7521, 2_000));
            assertEquals(SluiceException.Code.REFUSED, refused.code(), refused.getMessage());
            assertTrue(refused.getMessage().contains(STACK + ":7521"), refused.getMessage());

            SluiceException twice = assertThrows(SluiceException.class, () -> two.listen(Ip4Address.ANY, 7520, 4));
            assertEquals(SluiceException.Code.ADDRESS, twice.code(), twice.getMessage());
            assertTrue(twice.getMessage().contains("7520"), twice.getMessage());
            assertEquals(7520, listener.port(), "the first listener keeps its port");
        }

        Path nowhere = dir.resolve("no-daemon.sock");
        SluiceException detached = assertThrows(SluiceException.class,
                () -> Sluice.attach("lonely", VclConfig.parse("lonely", vcl(nowhere))));
        assertEquals(SluiceException.Code.NOT_ATTACHED, detached.code());
        assertTrue(detached.getMessage().contains(nowhere.toString()), detached.getMessage());

        Path bad = dir.resolve("bad-vcl.conf");
        Files.writeString(bad, "vcl {\n  app-socket-api " + appSocket + "\n  rx-fifo-size lots\n}\n");
        String before = System.getProperty(VclConfigLocator.PROPERTY);
        System.setProperty(VclConfigLocator.PROPERTY, bad.toString());
        try {
            ConfigException e = assertThrows(ConfigException.class, () -> Sluice.attach("misconfigured"));
            assertTrue(e.getMessage().contains(bad.toString()) && e.getMessage().contains(":3"), e.getMessage());
            assertTrue(e.getMessage().contains("rx-fifo-size"), e.getMessage());
        } finally {
            restoreProperty(before);
        }
    }

    @Test
    void aKilledDaemonFailsTheWaitingReadAndAnotherDaemonTakesTheApplicationBack() throws Exception {
        Sluice server = Sluice.attach("survivor", VclConfig.parse("survivor", vcl(appSocket)));
        Sluice client = Sluice.attach("bystander", VclConfig.parse("bystander", vcl(appSocket)));
        try {
            SluiceListener listener = server.listen(Ip4Address.ANY, 7530, 4);
            SluiceConnection outgoing = client.connect(STACK_ADDRESS, 7530, TIMEOUT_MILLIS);
            SluiceConnection incoming = listener.accept(TIMEOUT_MILLIS);
            long[] killedAt = new long[1];
            Thread killer = Thread.ofPlatform().name("daemon-killer").start(() -> {
                try {
                    Thread.sleep(500);
                    killedAt[0] = System.nanoTime();
                    daemon.kill();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            long start = System.nanoTime();
            SluiceException dead = assertThrows(SluiceException.class,
                    () -> incoming.read(new byte[16], 0, 16, 30_000));
            long failedAt = System.nanoTime();
            killer.join(15_000);
            assertEquals(SluiceException.Code.ABORTED, dead.code(), dead.getMessage());
            assertTrue(killedAt[0] != 0 && killedAt[0] - start >= TimeUnit.MILLISECONDS.toNanos(400),
                    "the read was waiting when the daemon died");
            long noticed = TimeUnit.NANOSECONDS.toMillis(failedAt - killedAt[0]);
            assertTrue(noticed < 3_000, "the waiting read failed " + noticed + " ms after the kill");
            System.out.printf("the waiting read failed %d ms after the daemon was killed%n", noticed);

            // Every later call of either application fails the same way (the other one learns of it at its next
            // call that asks the stack: the connect).
            List<Executable> later = List.of(() -> incoming.read(new byte[16], 0, 16),
                    () -> client.connect(STACK_ADDRESS, 7530, 1_000), () -> outgoing.write(new byte[16], 0, 16),
                    () -> server.listen(Ip4Address.ANY, 7531, 4), () -> listener.accept(5_000), listener::close);
            for (Executable call : later) {
                SluiceException e = assertThrows(SluiceException.class, call);
                assertEquals(SluiceException.Code.ABORTED, e.code(), e.getMessage());
            }
            SluiceException connect = assertThrows(SluiceException.class,
                    () -> client.connect(STACK_ADDRESS, 7530, 1_000));
            assertTrue(connect.getMessage().contains(STACK + ":7530")
                    && connect.getMessage().contains("the stack closed the attach connection"), connect.getMessage());
        } finally {
            server.close();
            client.close();
        }

        daemon.close();
        daemon = startDaemon("daemon-2.log"); // over the dead one's socket file and TAP name
        try (Sluice back = Sluice.attach("survivor", VclConfig.parse("survivor", vcl(appSocket)));
                SluiceListener listener = back.listen(Ip4Address.ANY, 7530, 4)) {
            SluiceConnection outgoing = back.connect(STACK_ADDRESS, 7530, TIMEOUT_MILLIS);
            SluiceConnection incoming = listener.accept(TIMEOUT_MILLIS);
            assertEquals(4, outgoing.write("back".getBytes(), 0, 4));
            byte[] got = new byte[4];
            assertEquals(4, incoming.read(got, 0, 4, TIMEOUT_MILLIS));
            assertEquals("back", new String(got), "the new daemon serves the application");
            outgoing.close();
            incoming.close();
        }
    }

    @Test
    void aConnectionBelongsToTheThreadThatMadeIt() throws Exception {
        try (Sluice sluice = Sluice.attach("threads", VclConfig.parse("threads", vcl(appSocket)));
                SluiceListener listener = sluice.listen(Ip4Address.ANY, 7540, 4)) {
            SluiceConnection mine = sluice.connect(STACK_ADDRESS, 7540, TIMEOUT_MILLIS);
            SluiceConnection accepted = listener.accept(TIMEOUT_MILLIS);
            AtomicReference<SluiceException> readRefused = new AtomicReference<>();
            AtomicReference<SluiceException> acceptRefused = new AtomicReference<>();
            AtomicReference<SluiceConnection> theirs = new AtomicReference<>();
            AtomicReference<Throwable> failed = new AtomicReference<>();
            Thread other = Thread.ofPlatform().name("other-thread").start(() -> {
                try {
                    readRefused.set(assertThrows(SluiceException.class, () -> mine.read(new byte[4], 0, 4)));
                    acceptRefused.set(assertThrows(SluiceException.class, () -> listener.accept(100)));
                    SluiceConnection own = sluice.connect(STACK_ADDRESS, 7540, TIMEOUT_MILLIS);
                    assertEquals(2, workersOf("threads"), "the other thread has a worker of its own");
                    assertEquals(2, own.write("mine".getBytes(), 0, 2));
                    theirs.set(own);
                } catch (Throwable e) {
                    failed.set(e);
                }
            });
            other.join(30_000);
            if (failed.get() != null) {
                throw new AssertionError("on the other thread: " + failed.get(), failed.get());
            }
            for (SluiceException e : List.of(readRefused.get(), acceptRefused.get())) {
                assertEquals(SluiceException.Code.WRONG_THREAD, e.code(), e.getMessage());
                assertTrue(e.getMessage().contains("other-thread")
                        && e.getMessage().contains(Thread.currentThread().getName()), e.getMessage());
            }
            SluiceException back = assertThrows(SluiceException.class, () -> theirs.get().write(new byte[1], 0, 1));
            assertEquals(SluiceException.Code.WRONG_THREAD, back.code(), "and the rule holds the other way");

            SluiceConnection fromOther = listener.accept(TIMEOUT_MILLIS);
            byte[] got = new byte[2];
            assertEquals(2, fromOther.read(got, 0, 2, TIMEOUT_MILLIS), "the other thread's bytes came through");
            assertEquals("mi", new String(got));
            assertEquals(3, mine.write("abc".getBytes(), 0, 3), "this thread's connection still works");
            assertEquals(3, accepted.read(new byte[3], 0, 3, TIMEOUT_MILLIS));
            mine.close();
            accepted.close();
            fromOther.close();
        }
    }

    // ------------------------------------------------------------------------------------------------ the peer

    /**
     * The second application, in a JVM of its own: {@code SOCKET ADDRESS PORT BYTES} — attaches, connects, sends BYTES
     * random bytes and shuts its output ({@code sent N crc C}), then reads to end of stream ({@code received N crc
     * C}) and closes.
     */
    public static final class Peer {

        private Peer() {
        }

        public static void main(String[] args) throws Exception {
            long bytes = Long.parseLong(args[3]);
            try (Sluice sluice = Sluice.attach("daemon-peer", VclConfig.parse("peer", vcl(Path.of(args[0]))))) {
                SluiceConnection connection = sluice.connect(Ip4Address.parse(args[1]).bits(),
                        Integer.parseInt(args[2]), TIMEOUT_MILLIS);
                say("connected " + connection + (connection.isCutThrough() ? " (cut-through)" : ""));
                long crc = send(connection, bytes, 3);
                connection.shutdownOutput();
                say("sent " + bytes + " crc " + crc);
                CRC32 in = new CRC32();
                long received = readToEnd(connection, in);
                say("received " + received + " crc " + in.getValue());
                connection.close();
            }
        }

        private static void say(String line) {
            System.out.println(line);
            System.out.flush();
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static String vcl(Path socket) {
        return "vcl {\n  app-socket-api " + socket + "\n}\n";
    }

    /** Writes {@code bytes} random bytes (from {@code seed}), waiting for room as needed; returns their CRC-32. */
    private static long send(SluiceConnection connection, long bytes, long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] chunk = new byte[CHUNK];
        CRC32 crc = new CRC32();
        for (long sent = 0; sent < bytes; sent += CHUNK) {
            int n = (int) Math.min(CHUNK, bytes - sent);
            random.nextBytes(chunk);
            crc.update(chunk, 0, n);
            connection.session().writeFully(chunk, 0, n, 30_000);
        }
        return crc.getValue();
    }

    /** Reads until end of stream (at most 60 s, failing on 30 s of silence), adding the bytes to {@code crc}. */
    private static long readToEnd(SluiceConnection connection, CRC32 crc) throws IOException {
        byte[] buffer = new byte[CHUNK];
        long received = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            int n = connection.read(buffer, 0, buffer.length, 30_000);
            if (n < 0) {
                return received;
            }
            if (n == 0) {
                throw new IOException("nothing to read for 30 s after " + received + " bytes");
            }
            crc.update(buffer, 0, n);
            received += n;
        }
        throw new IOException("no end of stream within 60 s, after " + received + " bytes");
    }

    private List<String> appNames() {
        return table(new ControlRequest.ShowApp()).stream().map(row -> (String) row.get(1)).toList();
    }

    private long workersOf(String name) {
        return table(new ControlRequest.ShowApp()).stream().filter(row -> row.get(1).equals(name))
                .mapToLong(row -> (Long) row.get(2)).sum();
    }

    private int rows(ControlRequest request) {
        return table(request).size();
    }

    /** The rows of the daemon's answer to {@code request}, through its control socket. */
    private List<List<Object>> table(ControlRequest request) {
        try (ControlClient client = ControlClient.connect(cli)) {
            if (client.request(request) instanceof ControlReply.Tables tables) {
                return tables.tables().get(0).rows();
            }
            throw new AssertionError(request + " did not answer with a table");
        } catch (IOException e) {
            throw new AssertionError(request + ": " + e.getMessage(), e);
        }
    }

    private static String line(String log, String prefix) {
        return log.lines().filter(l -> l.startsWith(prefix)).findFirst().orElse("(no line starting '" + prefix
                + "' in:\n" + log + ")");
    }

    private static void restoreProperty(String before) {
        if (before == null) {
            System.clearProperty(VclConfigLocator.PROPERTY);
        } else {
            System.setProperty(VclConfigLocator.PROPERTY, before);
        }
    }

    private static void await(String what, BooleanSupplier condition, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + seconds + " s: " + what);
            }
            Thread.sleep(50);
        }
    }
}
