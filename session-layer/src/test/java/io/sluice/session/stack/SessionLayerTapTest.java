package io.sluice.session.stack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.core.config.StackConfig;
import io.sluice.core.phy.HostLink;
import io.sluice.core.stack.Stack;
import io.sluice.core.wire.Ip4Address;
import io.sluice.session.attach.AttachServer;
import io.sluice.session.attach.MemfdAttachHandler;
import io.sluice.session.attach.NamespaceTable;
import io.sluice.session.fifo.ByteFifo;
import io.sluice.session.msg.SessionHandle;
import io.sluice.session.msg.SessionMessage;
import io.sluice.session.msg.SessionStatus;
import io.sluice.session.segment.SegmentLimits;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The session layer against the Linux kernel: a stack with two workers and a TAP whose other side is in a network
 * namespace the test creates (198.18.21.1 the kernel, .2 the stack), applications attached through the attach
 * socket ({@link TestApplication}), kernel peers written in Python. One stack serves every test (each uses its own
 * ports); the namespace and the TAP go at the end even when a test fails.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SessionLayerTapTest {

    private static final String KERNEL = "198.18.21.1";
    private static final String STACK = "198.18.21.2";
    private static final int KERNEL_ADDRESS = Ip4Address.parse(KERNEL).bits();
    private static final int STACK_ADDRESS = Ip4Address.parse(STACK).bits();
    private static final long WAIT_MILLIS = 10_000;

    private static String namespace;
    private static Stack stack;
    private static MemfdAttachHandler handler;
    private static SessionLayer sessions;
    private static AttachServer server;
    private static Path socketDir;

    @BeforeAll
    static void startStack() throws Exception {
        String reason = HostLink.tapUnavailableReason();
        assumeTrue(reason == null, reason);
        assumeTrue(HostLink.onPath("python3"), "needs python3 for the kernel-side peers");
        String suffix = Long.toString(ProcessHandle.current().pid() % 100_000);
        namespace = "slss" + suffix;
        socketDir = Files.createTempDirectory("sluice-session");
        stack = Stack.create(StackConfig.parse("test.conf", """
                cpu { workers 2 }
                buffers { buffers-per-numa 16384 }
                tap { host-if-name slss%s host-ns %s host-ip4-addr %s/24 ip4-addr %s/24 num-rx-queues 2 }
                """.formatted(suffix, namespace, KERNEL, STACK)));
        List<io.sluice.core.sys.NativeFd> wakeups = new ArrayList<>();
        for (int w = 0; w < stack.engine().workerCount(); w++) {
            wakeups.add(stack.engine().wakeupFd(w));
        }
        handler = new MemfdAttachHandler(SegmentLimits.DEFAULT, wakeups);
        sessions = new SessionLayer(stack, handler);
        stack.start();
        server = AttachServer.start(socketDir.resolve("app.sock"), AttachServer.DEFAULT_MODE, new NamespaceTable(),
                sessions.attachHandler());
        handler.announceThrough(server);
    }

    @AfterAll
    static void stopStack() throws Exception {
        try {
            if (server != null) {
                server.close();
            }
            if (stack != null) {
                stack.close();
            }
            if (handler != null) {
                handler.close();
            }
        } finally {
            if (namespace != null && HostLink.namespaceExists(namespace)) {
                HostLink.deleteNamespace(namespace);
            }
        }
    }

    // ---- listen, accept, echo ----

    private static final String ECHO_CLIENT = """
            import socket, sys, hashlib, threading
            size = int(sys.argv[3])
            data = bytes((k * 31 + 7) % 253 for k in range(size))
            s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=30)
            t = threading.Thread(target=s.sendall, args=(data,))
            t.start()
            got = bytearray()
            while len(got) < size:
                chunk = s.recv(65536)
                if not chunk:
                    break
                got += chunk
            t.join()
            s.shutdown(socket.SHUT_WR)
            rest = s.recv(1)
            s.close()
            print('sent', hashlib.sha256(data).hexdigest(), 'got', hashlib.sha256(bytes(got)).hexdigest(),
                  'len', len(got), 'eof', rest == b'')
            """;

    @Test
    void listenAcceptAndEchoSeveralMebibytesWithAKernelClient() throws Exception {
        int size = 6 << 20;
        try (TestApplication app = TestApplication.attach(server.path(), "echo", 256 << 10)) {
            TestApplication.Event bound = app.awaitReply(app.post(1, SessionMessage.LISTEN, 0, STACK_ADDRESS, 5401,
                    16, 0), WAIT_MILLIS);
            assertEquals(SessionMessage.BOUND, bound.type(), bound.toString());
            assertEquals(SessionHandle.KIND_LISTENER, SessionHandle.kind(bound.handle()));
            assertEquals(5401, bound.port());
            Process client = python(ECHO_CLIENT, STACK, "5401", Integer.toString(size));
            try {
                TestApplication.Event accepted = app.awaitType(SessionMessage.ACCEPTED, 0, WAIT_MILLIS);
                assertEquals(bound.handle(), accepted.otherHandle());
                assertEquals(KERNEL_ADDRESS, accepted.address());
                assertEquals(STACK_ADDRESS, accepted.localAddress());
                assertEquals(5401, accepted.localPort());
                TestApplication.Fifos fifos = app.fifos(accepted);
                long echoed = echoUntilPeerCloses(app, accepted.handle(), fifos);
                assertEquals(size, echoed);
                int disconnect = app.post(SessionMessage.DISCONNECT, accepted.handle(), 0);
                TestApplication.Event cleanup = app.awaitType(SessionMessage.CLEANUP, accepted.handle(),
                        WAIT_MILLIS);
                assertEquals(disconnect, cleanup.context());
                String out = finish(client);
                String[] words = out.trim().split(" ");
                assertEquals(words[1], words[3], "the kernel got back what it sent: " + out);
                assertTrue(out.contains("len " + size) && out.contains("eof True"), out);
                awaitTrue(() -> sessions.sessionCount(app.appIndex()) == 0, "the session is gone");
            } finally {
                client.destroyForcibly();
            }
        }
    }

    /** Echoes rx to tx until the peer's FIN and an empty rx FIFO; returns the bytes echoed. */
    private static long echoUntilPeerCloses(TestApplication app, long handle, TestApplication.Fifos fifos) {
        MemorySegment chunk = MemorySegment.ofArray(new byte[64 << 10]);
        long echoed = 0;
        boolean peerClosed = false;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            ByteFifo rx = fifos.rx();
            ByteFifo tx = fifos.tx();
            rx.clearEvent();
            int readable = rx.readableBytes();
            int n = rx.dequeue(chunk, 0, Math.min(tx.freeSpace(), (int) chunk.byteSize()));
            if (n > 0) {
                tx.enqueue(chunk, 0, n);
                app.postIo(SessionMessage.TX, handle);
                echoed += n;
                if (rx.needsDequeueNotification(readable)) {
                    app.postIo(SessionMessage.DEQUEUED, handle);
                }
            }
            for (TestApplication.Event e : drainTypes(app)) {
                if (e.type() == SessionMessage.DISCONNECTED && e.handle() == handle) {
                    peerClosed = true;
                }
                assertNotEquals(SessionMessage.RESET, e.type(), "no reset: " + e);
            }
            if (peerClosed && rx.readableBytes() == 0 && tx.readableBytes() == 0) {
                return echoed;
            }
            if (n == 0) {
                Thread.onSpinWait();
            }
        }
        throw new AssertionError("echoed " + echoed + " bytes; the peer " + (peerClosed ? "closed" : "never closed"));
    }

    private static List<TestApplication.Event> drainTypes(TestApplication app) {
        List<TestApplication.Event> events = new ArrayList<>();
        while (true) {
            List<TestApplication.Event> pending = app.pending();
            if (pending.isEmpty()) {
                return events;
            }
            for (TestApplication.Event e : pending) {
                events.add(app.await(x -> x == e, 0, "event"));
            }
        }
    }

    // ---- connect out ----

    private static final String ECHO_SERVER = """
            import socket, sys
            srv = socket.socket()
            srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            srv.bind((sys.argv[1], int(sys.argv[2])))
            srv.listen(4)
            print('ready', flush=True)
            c, _ = srv.accept()
            total = 0
            while True:
                d = c.recv(65536)
                if not d:
                    break
                c.sendall(d)
                total += len(d)
            c.close()
            print('echoed', total, flush=True)
            """;

    @Test
    void connectOutTransferDisconnectAndCleanup() throws Exception {
        Process kernelServer = python(ECHO_SERVER, KERNEL, "5402");
        try (TestApplication app = TestApplication.attach(server.path(), "client", 128 << 10)) {
            awaitOutput(kernelServer, "ready");
            int context = app.post(0, SessionMessage.CONNECT, 0, KERNEL_ADDRESS, 5402, 0, 0);
            TestApplication.Event connected = app.awaitReply(context, WAIT_MILLIS);
            assertEquals(SessionMessage.CONNECTED, connected.type(), connected.toString());
            assertEquals(SessionStatus.OK.code(), connected.status());
            assertEquals(0, SessionHandle.worker(connected.handle()), "the session lives on the worker asked");
            assertEquals(KERNEL_ADDRESS, connected.address());
            assertEquals(5402, connected.port());
            long handle = connected.handle();
            TestApplication.Fifos fifos = app.fifos(connected);
            byte[] sent = new byte[2 << 20];
            for (int i = 0; i < sent.length; i++) {
                sent[i] = (byte) (i * 13 + 5);
            }
            byte[] got = new byte[sent.length];
            int written = 0;
            int read = 0;
            int askedForSpace = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (read < sent.length && System.nanoTime() < deadline) {
                if (written < sent.length) {
                    int n = fifos.tx().enqueue(sent, written, Math.min(sent.length - written, fifos.tx().freeSpace()));
                    if (n > 0) {
                        written += n;
                        app.postIo(SessionMessage.TX, handle);
                    } else if (fifos.tx().requestedDequeueNotification() == 0) {
                        fifos.tx().requestDequeueNotification(ByteFifo.NOTIFY_IF_FULL);
                        askedForSpace++;
                    }
                }
                fifos.rx().clearEvent();
                int readable = fifos.rx().readableBytes();
                int n = fifos.rx().dequeue(got, read, sent.length - read);
                read += n;
                if (n > 0 && fifos.rx().needsDequeueNotification(readable)) {
                    app.postIo(SessionMessage.DEQUEUED, handle);
                }
                app.drain();
            }
            assertEquals(sent.length, read);
            assertArrayEquals(sent, got);
            assertTrue(askedForSpace > 0, "2 MiB filled the 128 KiB tx FIFO at least once");
            assertTrue(app.pending().stream().anyMatch(e -> e.type() == SessionMessage.TX_SPACE),
                    "the full tx FIFO's dequeue notification came as TX_SPACE");
            // SHUTDOWN write: our FIN; the echo server sees end of stream and closes, which we hear as DISCONNECTED.
            TestApplication.Event shut = app.awaitReply(app.post(SessionMessage.SHUTDOWN, handle,
                    SessionMessage.SHUT_WRITE), WAIT_MILLIS);
            assertEquals(SessionMessage.SHUTDOWN_REPLY, shut.type(), shut.toString());
            assertEquals(SessionStatus.OK.code(), shut.status());
            app.awaitType(SessionMessage.DISCONNECTED, handle, WAIT_MILLIS);
            int disconnect = app.post(SessionMessage.DISCONNECT, handle, 0);
            TestApplication.Event cleanup = app.awaitType(SessionMessage.CLEANUP, handle, WAIT_MILLIS);
            assertEquals(disconnect, cleanup.context());
            assertTrue(finish(kernelServer).contains("echoed " + sent.length));
            // The handle is stale now: any request about it is refused as such.
            TestApplication.Event stale = app.awaitReply(app.post(SessionMessage.SHUTDOWN, handle,
                    SessionMessage.SHUT_WRITE), WAIT_MILLIS);
            assertEquals(SessionMessage.ERROR, stale.type());
            assertEquals(SessionStatus.INVALID_HANDLE.code(), stale.status());
        } finally {
            kernelServer.destroyForcibly();
        }
    }

    @Test
    void connectToAClosedPortIsRefusedAndToASilentAddressTimesOut() throws Exception {
        try (TestApplication app = TestApplication.attach(server.path(), "refused", 64 << 10)) {
            TestApplication.Event refused = app.awaitReply(app.post(1, SessionMessage.CONNECT, 0, KERNEL_ADDRESS,
                    5403, 0, 0), WAIT_MILLIS);
            assertEquals(SessionMessage.CONNECTED, refused.type());
            assertEquals(SessionStatus.REFUSED.code(), refused.status(), refused.toString());
            assertEquals(SessionHandle.NONE, refused.handle());
            int silent = Ip4Address.parse("198.18.21.77").bits();
            long start = System.nanoTime();
            TestApplication.Event timedOut = app.awaitReply(app.post(0, SessionMessage.CONNECT, 0, silent, 5404, 300,
                    0), WAIT_MILLIS);
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(SessionStatus.TIMED_OUT.code(), timedOut.status(), timedOut.toString());
            assertTrue(millis >= 250 && millis < 5_000, "the request's 300 ms timeout applied: " + millis + " ms");
            awaitTrue(() -> sessions.sessionCount(app.appIndex()) == 0, "failed connects leave no session");
        }
    }

    private static final String RESETTING_CLIENT = """
            import socket, sys, struct, time
            s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=10)
            s.sendall(b'hello')
            time.sleep(0.3)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
            s.close()
            print('reset sent', flush=True)
            """;

    @Test
    void aPeerResetIsReportedAndTheSessionCleanedUpAfterAbort() throws Exception {
        try (TestApplication app = TestApplication.attach(server.path(), "reset", 64 << 10)) {
            TestApplication.Event bound = app.awaitReply(app.post(0, SessionMessage.LISTEN, 0, 0, 5405, 4, 0),
                    WAIT_MILLIS);
            assertEquals(SessionMessage.BOUND, bound.type(), bound.toString());
            Process client = python(RESETTING_CLIENT, STACK, "5405");
            try {
                TestApplication.Event accepted = app.awaitType(SessionMessage.ACCEPTED, 0, WAIT_MILLIS);
                TestApplication.Event rx = app.awaitType(SessionMessage.RX, accepted.handle(), WAIT_MILLIS);
                assertEquals(accepted.handle(), rx.handle());
                TestApplication.Event reset = app.awaitType(SessionMessage.RESET, accepted.handle(), WAIT_MILLIS);
                assertEquals(SessionStatus.RESET.code(), reset.status());
                assertEquals(5, app.fifos(accepted).rx().readableBytes(), "received bytes stay readable");
                int abort = app.post(SessionMessage.ABORT, accepted.handle(), 0);
                assertEquals(abort, app.awaitType(SessionMessage.CLEANUP, accepted.handle(), WAIT_MILLIS).context());
                assertTrue(finish(client).contains("reset sent"));
                TestApplication.Event unlistened = app.awaitReply(app.post(0, SessionMessage.UNLISTEN,
                        bound.handle(), 0, 0, 0, 0), WAIT_MILLIS);
                assertEquals(SessionMessage.UNLISTENED, unlistened.type());
                assertEquals(0, sessions.listenerCount(app.appIndex()));
            } finally {
                client.destroyForcibly();
            }
        }
    }

    private static final String MANY_CLIENTS = """
            import socket, sys, time
            socks = []
            for i in range(int(sys.argv[3])):
                s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=10)
                s.sendall(b'%d' % i)
                socks.append(s)
            print('connected', len(socks), flush=True)
            time.sleep(20)
            """;

    @Test
    void aFullApplicationQueueLosesNoControlEventAndKeepsTheirOrder() throws Exception {
        int clients = 48;
        try (TestApplication app = TestApplication.attach(server.path(), "slow", 16 << 10, 16)) {
            TestApplication.Event bound = app.awaitReply(app.post(0, SessionMessage.LISTEN, 0, 0, 5408, 64, 0),
                    WAIT_MILLIS);
            assertEquals(SessionMessage.BOUND, bound.type(), bound.toString());
            Process many = python(MANY_CLIENTS, STACK, "5408", Integer.toString(clients));
            try {
                awaitOutput(many, "connected " + clients);
                // The application read nothing while 48 ACCEPTED and 48 RX were made for a queue of 16 slots.
                List<TestApplication.Event> events = new ArrayList<>();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (events.stream().filter(e -> e.type() == SessionMessage.RX).count() < clients
                        && System.nanoTime() < deadline) {
                    events.addAll(drainTypes(app));
                }
                List<Long> accepted = events.stream().filter(e -> e.type() == SessionMessage.ACCEPTED)
                        .map(TestApplication.Event::handle).toList();
                assertEquals(clients, accepted.size(), "every ACCEPTED arrived: " + events.size() + " events");
                assertEquals(clients, accepted.stream().distinct().count());
                for (TestApplication.Event e : events) {
                    if (e.type() == SessionMessage.RX) {
                        assertTrue(events.indexOf(e) > events.stream().filter(a -> a.handle() == e.handle()
                                && a.type() == SessionMessage.ACCEPTED).map(events::indexOf).findFirst().orElseThrow(),
                                "a session's RX comes after its ACCEPTED");
                    }
                }
                assertEquals(clients, events.stream().filter(e -> e.type() == SessionMessage.RX).count(),
                        "one RX per session");
                long full = 0;
                for (int w = 0; w < 2; w++) {
                    full += stack.onWorker(w, view -> view.graph().errors().stream()
                            .filter(e -> e.node().equals(SessionQueueNode.NAME) && e.symbol().equals("app-queue-full"))
                            .mapToLong(e -> e.count()).sum());
                }
                assertTrue(full > 0, "the full queue was counted");
                for (long handle : accepted) { // one at a time: the stack queues are 16 slots too
                    app.post(SessionMessage.ABORT, handle, 0);
                    app.awaitType(SessionMessage.CLEANUP, handle, WAIT_MILLIS);
                }
            } finally {
                many.destroyForcibly();
            }
        }
    }

    // ---- faults ----

    @Test
    void badRequestsGetErrorsWithThePreciseStatus() throws Exception {
        try (TestApplication app = TestApplication.attach(server.path(), "faulty", 64 << 10);
                TestApplication other = TestApplication.attach(server.path(), "other", 64 << 10)) {
            long madeUp = SessionHandle.of(SessionHandle.KIND_SESSION, 1, 5, 77);
            assertError(app, app.post(1, SessionMessage.DISCONNECT, madeUp, 0, 0, 0, 0), SessionStatus.INVALID_HANDLE,
                    SessionMessage.DISCONNECT);
            assertError(app, app.post(0, SessionMessage.DISCONNECT, madeUp, 0, 0, 0, 0), SessionStatus.BAD_REQUEST,
                    SessionMessage.DISCONNECT); // posted to a worker that does not own it
            assertError(app, app.post(0, 77, 0, 0, 0, 0, 0), SessionStatus.UNKNOWN_TYPE, 77);
            TestApplication.Event noPort = app.awaitReply(app.post(0, SessionMessage.CONNECT, 0, KERNEL_ADDRESS, 0,
                    0, 0), WAIT_MILLIS);
            assertEquals(SessionStatus.BAD_REQUEST.code(), noPort.status(), "port 0 on connect");
            TestApplication.Event bound = app.awaitReply(app.post(0, SessionMessage.LISTEN, 0, STACK_ADDRESS, 5406, 4,
                    0), WAIT_MILLIS);
            assertEquals(SessionMessage.BOUND, bound.type());
            assertError(other, other.post(1, SessionMessage.LISTEN, 0, STACK_ADDRESS, 5406, 4, 0),
                    SessionStatus.ADDRESS_IN_USE, SessionMessage.LISTEN);
            assertError(other, other.post(0, SessionMessage.UNLISTEN, bound.handle(), 0, 0, 0, 0),
                    SessionStatus.NOT_OWNER, SessionMessage.UNLISTEN);
            TestApplication.Event any = app.awaitReply(app.post(1, SessionMessage.LISTEN, 0, 0, 0, 4, 0),
                    WAIT_MILLIS);
            assertEquals(SessionMessage.BOUND, any.type(), "port 0 picks one");
            assertTrue(any.port() >= 49152, "from the dynamic range: " + any.port());

            Process client = python(ECHO_CLIENT, STACK, "5406", "1000");
            try {
                TestApplication.Event accepted = app.awaitType(SessionMessage.ACCEPTED, 0, WAIT_MILLIS);
                long handle = accepted.handle();
                assertError(other, other.post(SessionMessage.ABORT, handle, 0), SessionStatus.NOT_OWNER,
                        SessionMessage.ABORT);
                assertError(app, app.post(SessionMessage.SHUTDOWN, handle, 4), SessionStatus.BAD_REQUEST,
                        SessionMessage.SHUTDOWN);
                TestApplication.Event option = app.awaitReply(app.post(SessionHandle.worker(handle),
                        SessionMessage.SET_OPTION, handle, 0, 0, SessionMessage.OPTION_NO_DELAY, 0), WAIT_MILLIS);
                assertEquals(SessionMessage.OPTION_REPLY, option.type());
                assertEquals(SessionStatus.OK.code(), option.status());
                int abort = app.post(SessionMessage.ABORT, handle, 0);
                assertEquals(abort, app.awaitType(SessionMessage.CLEANUP, handle, WAIT_MILLIS).context());
                assertError(app, app.post(SessionMessage.ABORT, handle, 0), SessionStatus.INVALID_HANDLE,
                        SessionMessage.ABORT); // stale after CLEANUP
            } finally {
                client.destroyForcibly();
            }
            long errors = 0;
            for (int w = 0; w < 2; w++) {
                errors += stack.onWorker(w, view -> view.graph().errors().stream()
                        .filter(e -> e.node().equals(SessionQueueNode.NAME))
                        .mapToLong(e -> e.count()).sum());
            }
            assertTrue(errors >= 8, "each fault counted on session-queue: " + errors);
        }
    }

    private static void assertError(TestApplication app, int context, SessionStatus status, int requestType) {
        TestApplication.Event e = app.awaitReply(context, WAIT_MILLIS);
        assertEquals(SessionMessage.ERROR, e.type(), e.toString());
        assertEquals(status, SessionStatus.ofCode(e.status()), e.toString());
        assertEquals(requestType, e.value());
    }

    // ---- an application going away ----

    private static final String HOLDING_CLIENT = """
            import socket, sys
            s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=20)
            s.sendall(b'x' * 1000)
            print('connected', flush=True)
            try:
                d = s.recv(100)
                print('eof' if not d else 'data')
            except ConnectionResetError:
                print('reset')
            """;

    @Test
    void detachingWithLiveSessionsResetsThePeersAndFreesEverything() throws Exception {
        TestApplication app = TestApplication.attach(server.path(), "leaving", 64 << 10);
        int appIndex = app.appIndex();
        Process first;
        Process second;
        try {
            assertEquals(SessionMessage.BOUND, app.awaitReply(app.post(0, SessionMessage.LISTEN, 0, 0, 5407, 8, 0),
                    WAIT_MILLIS).type());
            first = python(HOLDING_CLIENT, STACK, "5407");
            second = python(HOLDING_CLIENT, STACK, "5407");
            app.awaitType(SessionMessage.ACCEPTED, 0, WAIT_MILLIS);
            app.awaitType(SessionMessage.ACCEPTED, 0, WAIT_MILLIS);
            awaitTrue(() -> sessions.sessionCount(appIndex) == 2, "two sessions");
            assertTrue(mappedSegments(appIndex) > 0, "the stack maps the application's segments");
        } finally {
            app.close(); // the attach socket closes without DETACH: the stack treats it as death
        }
        try {
            assertTrue(finish(first).contains("reset"), "the first peer saw a reset");
            assertTrue(finish(second).contains("reset"), "the second peer saw a reset");
            awaitTrue(() -> handler.workerCount(appIndex) == -1, "the application is gone");
            assertEquals(0, sessions.sessionCount(appIndex));
            assertTrue(sessions.sessions().stream().noneMatch(s -> s.appIndex() == appIndex), "show session empty");
            assertEquals(0, mappedSegments(appIndex), "no segment of the application stays mapped");
            TestApplication.Event refusedAfter;
            try (TestApplication next = TestApplication.attach(server.path(), "next", 64 << 10)) {
                refusedAfter = next.awaitReply(next.post(0, SessionMessage.LISTEN, 0, 0, 5407, 8, 0), WAIT_MILLIS);
            }
            assertEquals(SessionMessage.BOUND, refusedAfter.type(), "the listener's port is free again");
        } finally {
            first.destroyForcibly();
            second.destroyForcibly();
        }
    }

    /** Mappings of application {@code appIndex}'s memfds in this process. */
    private static long mappedSegments(int appIndex) throws IOException {
        return Files.readAllLines(Path.of("/proc/self/maps")).stream()
                .filter(line -> line.contains("sluice-app-" + appIndex + "-")).count();
    }

    // ---- helpers ----

    private static Process python(String script, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("python3", "-c", script));
        command.addAll(List.of(args));
        return new ProcessBuilder(HostLink.inNamespace(namespace, command.toArray(new String[0])))
                .redirectErrorStream(true).start();
    }

    private static String finish(Process p) throws Exception {
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the kernel peer finished");
        return new String(p.getInputStream().readAllBytes());
    }

    private static void awaitOutput(Process p, String word) throws Exception {
        StringBuilder seen = new StringBuilder();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!seen.toString().contains(word) && System.nanoTime() < deadline) {
            if (p.getInputStream().available() > 0) {
                seen.append((char) p.getInputStream().read());
            } else {
                assertTrue(p.isAlive(), "the kernel peer died: " + seen);
                Thread.sleep(5);
            }
        }
        assertTrue(seen.toString().contains(word), "the kernel peer said " + word + ": " + seen);
    }

    private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        assertTrue(condition.getAsBoolean(), what);
    }
}
