package io.sluice.session.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.core.config.StackConfig;
import io.sluice.core.phy.HostLink;
import io.sluice.session.attach.AttachClient;
import io.sluice.session.mq.MessageQueue;
import io.sluice.session.msg.SessionMessage;
import java.lang.foreign.MemorySegment;
import io.sluice.session.attach.AttachMessage;
import io.sluice.session.attach.AttachedWorker;
import io.sluice.session.control.ControlClient;
import io.sluice.session.control.ControlReply;
import io.sluice.session.control.ControlRequest;
import io.sluice.session.control.ControlTable;
import io.sluice.session.testing.ChildJvm;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code bin/sluice stack -c FILE} as a process of its own: it makes its TAP interface and the namespace of the
 * interface's Linux side, answers ping, serves the control socket, and on SIGTERM removes all of it and exits 0.
 */
class StackDaemonTest {

    @TempDir
    Path dir;

    /** With a worker thread, and in single-thread mode (the main thread runs the graph and must wake on SIGTERM). */
    @ParameterizedTest
    @ValueSource(ints = {1, 0})
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void runsServesTheControlSocketAndCleansUpOnSigterm(int workers) throws Exception {
        String reason = HostLink.tapUnavailableReason();
        assumeTrue(reason == null, reason);
        assumeTrue(HostLink.onPath("ping"), "needs ping (iputils-ping)");
        String suffix = Long.toString(ProcessHandle.current().pid() % 100_000);
        String namespace = "sldn" + workers + "x" + suffix;
        String ifName = "sldt" + workers + "x" + suffix;
        Path socket = dir.resolve("cli.sock");
        Path appSocket = dir.resolve("app.sock");
        Path conf = dir.resolve("startup.conf");
        Files.writeString(conf, """
                unix { cli-listen %s }
                session { use-app-socket-api app-socket-api %s }
                cpu { workers %d }
                buffers { buffers-per-numa 4096 }
                tap { host-if-name %s host-ns %s host-ip4-addr 198.18.3.1/24 ip4-addr 198.18.3.2/24 }
                """.formatted(socket, appSocket, workers, ifName, namespace));
        try (ChildJvm daemon = ChildJvm.start(StackDaemon.class, dir.resolve("daemon.log"), "-c", conf.toString())) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!daemon.log().contains("control socket") && System.nanoTime() < deadline && daemon.isAlive()) {
                Thread.sleep(50);
            }
            String threads = workers == 0 ? "single-thread mode" : "1 worker";
            assertTrue(daemon.log().contains("sluice stack: " + threads + "; interfaces: " + ifName + " 198.18.3.2/24"),
                    daemon.logTail());
            assertTrue(HostLink.namespaceExists(namespace), "the daemon made the namespace it was told to use");

            String ping = HostLink.run(HostLink.inNamespace(namespace, "ping", "-n", "-q", "-c", "3", "-i", "0.1",
                    "-w", "8", "198.18.3.2"));
            assertTrue(ping.contains("3 packets transmitted, 3 received"), ping);

            try (ControlClient client = ControlClient.connect(socket)) {
                ControlTable interfaces = tables(client.request(new ControlRequest.ShowInterfaces())).get(0);
                List<Object> row = interfaces.rows().get(0);
                assertEquals(ifName, row.get(0));
                assertEquals("198.18.3.2/24", row.get(10));
                assertTrue((Long) row.get(4) >= 3, "rx-packets counts the pings: " + row);
                ControlTable errors = tables(client.request(new ControlRequest.ShowErrors())).get(0);
                assertTrue(errors.rows().stream().anyMatch(r -> r.get(2).equals("echo-replied")
                        && (Long) r.get(0) == 3L), errors.rows().toString());
                ControlReply refused = client.request(new ControlRequest.SetRxPlacement(ifName, 0, 7));
                assertInstanceOf(ControlReply.Failure.class, refused);
                ControlTable placement = tables(client.request(new ControlRequest.SetRxMode(ifName, true))).get(0);
                assertEquals("polling", placement.rows().get(0).get(3));
                assertInstanceOf(ControlReply.Failure.class, client.request(new ControlRequest.SetRxMode("nope0",
                        false)));
                if (HostLink.onPath("python3")) { // a connect to a port nobody listens on: refused by a reset
                    String connect = HostLink.run(HostLink.inNamespace(namespace, "python3", "-c", """
                            import socket
                            try:
                                socket.create_connection(('198.18.3.2', 9), timeout=5)
                                print('connected')
                            except ConnectionRefusedError:
                                print('refused')
                            """));
                    assertTrue(connect.contains("refused"), connect);
                    ControlTable tcp = tables(client.request(new ControlRequest.ShowTcpStats())).get(0);
                    assertTrue(tcp.rows().stream().anyMatch(r -> r.get(1).equals("resets-sent")
                            && (Long) r.get(0) == 1L), tcp.rows().toString());
                    assertEquals(List.of(), tables(client.request(new ControlRequest.ShowTcp())).get(0).rows());
                }
            }

            assertTrue(daemon.log().contains("; applications attach on " + appSocket), daemon.logTail());
            try (AttachClient app = AttachClient.connect(appSocket)) {
                AttachedWorker worker = app.attach(new AttachMessage.Attach("daemon-test", "", 0, 4096, 4096,
                        1 << 20, 64, true, true));
                assertEquals(0, worker.index());
                assertEquals(1, app.addWorker().index());
                try (ControlClient client = ControlClient.connect(socket)) {
                    List<List<Object>> apps = tables(client.request(new ControlRequest.ShowApp())).get(0).rows();
                    assertEquals(1, apps.size(), apps.toString());
                    assertEquals("daemon-test", apps.get(0).get(1));
                    assertEquals(2L, apps.get(0).get(2), "two workers: " + apps);
                    List<List<Object>> segments = tables(client.request(new ControlRequest.ShowSegment())).get(0)
                            .rows();
                    assertEquals(1, segments.size(), "only the queue segment before any session: " + segments);
                    assertEquals("queues", segments.get(0).get(3));
                    int stackWorkers = Math.max(1, workers); // 0: single-thread mode, one worker
                    assertEquals((long) stackWorkers + 2, segments.get(0).get(6),
                            "a stack queue per stack worker and two worker queues in use: " + segments);
                    List<List<Object>> queues = tables(client.request(new ControlRequest.ShowMq())).get(0).rows();
                    assertEquals(stackWorkers + 2, queues.size(), queues.toString());
                    assertEquals("stack 0", queues.get(0).get(2));
                    assertEquals("worker 1", queues.get(queues.size() - 1).get(2));
                    assertEquals(64L, queues.get(0).get(4), "the ATTACH asked for 64 slots: " + queues);
                    if (HostLink.onPath("python3")) {
                        showsTheSessionOfAKernelClient(app, client, namespace);
                    }
                }
            }
            try (ControlClient client = ControlClient.connect(socket)) { // the application closed: nothing left
                long detachDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!tables(client.request(new ControlRequest.ShowApp())).get(0).rows().isEmpty()) {
                    assertTrue(System.nanoTime() < detachDeadline, "the closed application was detached");
                    Thread.sleep(20);
                }
            }

            daemon.terminate();
            assertEquals(0, daemon.awaitExit(10, TimeUnit.SECONDS), daemon.logTail());
            assertTrue(daemon.log().contains("sluice stack: stopped"), daemon.logTail());
            assertFalse(HostLink.namespaceExists(namespace), "the namespace the daemon made is gone");
            assertFalse(Files.exists(socket), "the control socket is gone");
            assertFalse(Files.exists(appSocket), "the attach socket is gone");
            assertFalse(Files.exists(Path.of("/sys/class/net", ifName)), "the TAP is gone");
        } finally {
            if (HostLink.namespaceExists(namespace)) {
                HostLink.deleteNamespace(namespace);
            }
        }
    }

    @Test
    void aBadConfigurationLineIsNamedAndNothingStarts() throws IOException {
        Path conf = dir.resolve("startup.conf");
        Files.writeString(conf, "cpu { workers 1 }\ntap { host-if-name t0 ip4-addr 198.18.0.300/24 }\n");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = StackDaemon.run(new String[] {"-c", conf.toString()}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, code);
        String message = err.toString(StandardCharsets.UTF_8);
        assertTrue(message.startsWith("sluice stack: " + conf + ":2: bad value '198.18.0.300/24' for 'ip4-addr'"),
                message);
    }

    @Test
    void theDefaultConfigurationIsOneTapInNamespaceSluiceAndTheDefaultSocket() {
        StackConfig config = StackConfig.parse("default", StackDaemon.DEFAULT_CONFIG);
        assertEquals(1, config.taps().size());
        StackConfig.Tap tap = config.taps().get(0);
        assertEquals("sluice0", tap.hostIfName());
        assertEquals(Optional.of("sluice"), tap.hostNs());
        assertEquals("198.18.0.2/24", tap.ip4Addr());
        assertEquals(Optional.of(ControlClient.DEFAULT_SOCKET.toString()), config.unix().cliListen());
    }

    @Test
    void unknownArgumentsAreUsageErrors() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = StackDaemon.run(new String[] {"--config"}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--config needs a file"));
    }

    /** LISTEN through the application's stack queue, a kernel client connects: {@code show session} lists it. */
    private static void showsTheSessionOfAKernelClient(AttachClient app, ControlClient client, String namespace)
            throws Exception {
        MessageQueue queue = app.stackQueue(0);
        long position = queue.tryClaim();
        MemorySegment m = queue.memory();
        long at = queue.payloadOffset(position);
        SessionMessage.begin(m, at, SessionMessage.LISTEN);
        SessionMessage.setContext(m, at, 1);
        SessionMessage.setAddress(m, at, 0, 5300);
        SessionMessage.setValue(m, at, 4);
        queue.commit(position);
        Process holder = new ProcessBuilder(HostLink.inNamespace(namespace, "python3", "-c", """
                import socket, time
                s = socket.create_connection(('198.18.3.2', 5300), timeout=5)
                time.sleep(20)
                """)).redirectErrorStream(true).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            List<List<Object>> rows = List.of();
            while (rows.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
                rows = tables(client.request(new ControlRequest.ShowSession(false))).get(0).rows();
            }
            assertEquals(1, rows.size(), "one session: " + rows);
            assertEquals("daemon-test (0)", rows.get(0).get(1));
            assertEquals("OPEN", rows.get(0).get(4));
            assertEquals("198.18.3.2:5300", rows.get(0).get(5));
            assertTrue(((String) rows.get(0).get(6)).startsWith("198.18.3.1:"), rows.toString());
            List<Object> verbose = tables(client.request(new ControlRequest.ShowSession(true))).get(0).rows().get(0);
            assertEquals("ESTABLISHED", verbose.get(9));
            assertEquals(4096L, verbose.get(10), "the rx FIFO's size");
            List<Object> appRow = tables(client.request(new ControlRequest.ShowApp())).get(0).rows().get(0);
            assertEquals(1L, appRow.get(5), "show app counts the session: " + appRow);
        } finally {
            holder.destroyForcibly();
        }
    }

    private static List<ControlTable> tables(ControlReply reply) {
        return assertInstanceOf(ControlReply.Tables.class, reply, reply.toString()).tables();
    }
}
