package io.sluice.session.attach;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.core.config.StackConfig;
import io.sluice.core.config.VclConfig;
import io.sluice.core.sys.EventFd;
import io.sluice.core.sys.Fds;
import io.sluice.core.sys.NativeFd;
import io.sluice.core.sys.SharedMemory;
import io.sluice.core.sys.SyscallException;
import io.sluice.core.sys.UnixSocket;
import io.sluice.session.fifo.ByteFifo;
import io.sluice.session.mq.MessageQueue;
import io.sluice.session.segment.FifoPair;
import io.sluice.session.segment.SegmentLimits;
import io.sluice.session.segment.SegmentManager;
import io.sluice.session.testing.ChildJvm;
import io.sluice.session.testing.RawAttach;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AttachServerTest {

    @TempDir
    Path dir;

    private final NamespaceTable namespaces = new NamespaceTable();
    /** The wakeup eventfds of two stack workers (an engine's, in the daemon). */
    private final EventFd[] stackWakeups = {newEventFd(), newEventFd()};
    private final MemfdAttachHandler handler = new MemfdAttachHandler(SegmentLimits.DEFAULT,
            List.of(stackWakeups[0].fd(), stackWakeups[1].fd()));
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
        handler.close();
        for (EventFd wakeup : stackWakeups) {
            wakeup.close();
        }
    }

    private static EventFd newEventFd() {
        try {
            return EventFd.create(0, EventFd.EFD_NONBLOCK | EventFd.EFD_CLOEXEC);
        } catch (SyscallException e) {
            throw new IllegalStateException(e);
        }
    }

    private AttachServer start() throws IOException {
        AttachServer server = AttachServer.start(dir.resolve("app.sock"), AttachServer.DEFAULT_MODE, namespaces,
                handler);
        toClose.add(server);
        return server;
    }

    private AttachClient client(AttachServer server) throws IOException {
        AttachClient client = AttachClient.connect(server.path());
        toClose.add(client);
        return client;
    }

    /** A bare SEQPACKET connection, to send what no well-behaved client would. */
    private UnixSocket raw(AttachServer server) throws IOException {
        UnixSocket socket = UnixSocket.open(UnixSocket.Type.SEQPACKET, false);
        toClose.add(socket);
        socket.connect(server.path().toString());
        return socket;
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(10);
        }
    }

    /**
     * Open descriptors of the kinds the attach protocol makes (sockets, memfds, eventfds, epoll sets), counted in
     * /proc/self/fd. Other kinds (jar files, pipes of child processes) come and go with the JVM and are left out.
     */
    private static long openFds() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.map(AttachServerTest::target).filter(t -> t.startsWith("socket:")
                    || t.startsWith("/memfd:") || t.equals("anon_inode:[eventfd]")
                    || t.equals("anon_inode:[eventpoll]")).count();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static String target(Path fd) {
        try {
            return Files.readSymbolicLink(fd).toString();
        } catch (IOException e) {
            return ""; // closed while listing (the listing's own descriptor among them)
        }
    }

    private static boolean segmentsMapped() {
        try {
            return Files.readString(Path.of("/proc/self/maps")).contains("memfd:sluice-app-");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void attachAddWorkerDelWorkerDetach() throws Exception {
        AttachServer server = start();
        AttachClient client = client(server);
        AttachedWorker first = client.attach(AttachCodecTest.ATTACH);
        assertEquals(0, first.index());
        assertEquals(64, first.queue().slotCount());
        assertEquals(1, handler.applicationCount());
        AttachedWorker second = client.addWorker();
        assertEquals(1, second.index());
        assertEquals(2, handler.workerCount(client.appIndex()));
        client.delWorker(1);
        assertEquals(1, handler.workerCount(client.appIndex()));
        AttachException e = assertThrows(AttachException.class, () -> client.delWorker(7));
        assertEquals(AttachStatus.UNKNOWN_WORKER, e.status());
        assertEquals("DEL_WORKER from pid " + ProcessHandle.current().pid() + ": application 0 ('echo-server') has "
                + "no worker 7; its workers are [0]", e.getMessage());
        assertEquals(1, client.addWorker().index(), "a freed worker number and queue are reused");
        client.detach();
        await("the application is detached", () -> handler.applicationCount() == 0);
        await("the connection is gone", () -> server.connectionCount() == 0);
    }

    @Test
    void attachesAsVclConfSays() throws Exception {
        namespaces.add("tenant-a", 77);
        AttachServer server = start();
        VclConfig vcl = VclConfig.parse("vcl.conf", "vcl {\n rx-fifo-size 400000\n tx-fifo-size 64k\n"
                + " segment-size 2m\n event-queue-size 100\n app-socket-api " + server.path() + "\n"
                + " namespace-id tenant-a\n namespace-secret 77\n}");
        AttachMessage.Attach attach = AttachMessage.Attach.of("vcl-app", vcl);
        assertEquals(new AttachMessage.Attach("vcl-app", "tenant-a", 77, 400_000, 64 << 10, 2 << 20, 100, true,
                true), attach, "no scope given: both");
        try (AttachClient client = AttachClient.connect(vcl)) {
            assertEquals(128, client.attach(attach).queue().slotCount(), "100 slots round up to 128");
            assertEquals(2 << 20, client.segment().size());
        }
        AttachMessage.Attach globalOnly = AttachMessage.Attach.of("g", VclConfig.parse("vcl.conf",
                "vcl { app-scope-global }"));
        assertFalse(globalOnly.scopeLocal());
        assertTrue(globalOnly.scopeGlobal());
    }

    @Test
    void receivedDescriptorsWork() throws Exception {
        AttachServer server = start();
        AttachClient client = client(server);
        AttachedWorker worker = client.attach(AttachCodecTest.ATTACH);
        int app = client.appIndex();

        // The application posts to stack worker 1's queue in its mapping; the stack reads it from its own.
        assertEquals(2, client.stackQueueCount(), "one stack queue per stack worker");
        MemorySegment event = Arena.ofAuto().allocate(8);
        event.set(ValueLayout.JAVA_LONG, 0, 0x5151_5151L);
        assertTrue(client.stackQueue(1).offer(event, 0, 8));
        long[] seen = new long[1];
        assertTrue(handler.stackQueue(app, 0).isEmpty(), "worker 0's queue got nothing");
        MessageQueue stackSide = handler.stackQueue(app, 1);
        assertEquals(1, stackSide.drain((memory, offset, length) -> seen[0] = memory.get(ValueLayout.JAVA_LONG,
                offset), 10));
        assertEquals(0x5151_5151L, seen[0]);

        // And the other way, stack to worker.
        event.set(ValueLayout.JAVA_LONG, 0, 0x7272_7272L);
        assertTrue(handler.workerQueue(app, 0).offer(event, 0, 8));
        assertEquals(1, worker.queue().drain((memory, offset, length) -> seen[0] = memory.get(ValueLayout.JAVA_LONG,
                offset), 10));
        assertEquals(0x7272_7272L, seen[0]);

        // Both eventfds are the same counters on both sides.
        client.stackDoorbell(1).ring();
        assertEquals(1, stackWakeups[1].read());
        assertEquals(EventFd.EMPTY, stackWakeups[0].read());
        handler.workerDoorbell(app, 0).ring();
        assertTrue(worker.doorbell().await(2_000), "the stack's write woke the worker's eventfd");
        assertEquals(EventFd.EMPTY, stackWakeups[1].read());
    }

    @Test
    void segmentsAddedLaterAreAnnouncedWithTheirMemfd() throws Exception {
        AttachServer server = start();
        AttachClient client = client(server);
        client.attach(AttachCodecTest.ATTACH);
        int app = client.appIndex();
        AttachHandler.Grant<AttachMessage.SegmentAdd> grant = handler.addSegment(app, 100_000);
        assertTrue(server.notifyApplication(app, grant.reply(), grant.fds()).get(5, TimeUnit.SECONDS));
        List<AttachClient.Notification> added = client.awaitNotifications(5_000);
        assertEquals(1, added.size());
        assertEquals(grant.reply(), added.get(0).message());
        long size = grant.reply().segment().size();
        assertEquals(0, size % SharedMemory.pageSize(), "rounded up to pages");
        try (NativeFd memfd = added.get(0).fds().get(0); SharedMemory mapped = SharedMemory.map(memfd, size)) {
            mapped.segment().set(ValueLayout.JAVA_LONG, size - 8, 42); // the whole segment is there to touch
        }

        AttachMessage.SegmentRemove remove = handler.removeSegment(app, grant.reply().segment().id());
        assertTrue(server.notifyApplication(app, remove, List.of()).get(5, TimeUnit.SECONDS));
        assertEquals(remove, client.awaitNotifications(5_000).get(0).message());
        assertTrue(client.awaitNotifications(50).isEmpty(), "nothing more");
        assertEquals(1, client.addWorker().index(), "requests go on between notifications");

        assertFalse(server.notifyApplication(app + 1, remove, List.of()).get(5, TimeUnit.SECONDS),
                "no such application");
        assertThrows(IllegalArgumentException.class, () -> server.notifyApplication(app,
                new AttachMessage.Detach(), List.of()));
        assertEquals(AttachStatus.OUT_OF_RANGE, assertThrows(AttachException.class,
                () -> handler.removeSegment(app, 999)).status());
    }

    @Test
    void fifoSegmentsAreAnnouncedAndTheApplicationReadsWhatTheStackWrote() throws Exception {
        AttachServer server = start();
        handler.announceThrough(server);
        AttachClient client = client(server);
        client.attach(AttachCodecTest.ATTACH);
        int app = client.appIndex();
        SegmentManager fifos = handler.segments(app);
        assertEquals(AttachCodecTest.ATTACH.rxFifoSize(), fifos.tcpBuffers().receiveCapacity());
        FifoPair pair = fifos.allocate();

        List<AttachClient.Notification> added = client.awaitNotifications(5_000);
        assertEquals(1, added.size());
        AttachMessage.SegmentAdd add = (AttachMessage.SegmentAdd) added.get(0).message();
        assertEquals(pair.segmentId(), add.segment().id(), "SEGMENT_ADD names the FIFO pair's segment");
        try (NativeFd memfd = added.get(0).fds().get(0);
                SharedMemory mapped = SharedMemory.map(memfd, add.segment().size())) {
            ByteFifo rx = ByteFifo.attach(mapped.segment().asSlice(pair.rxOffset()));
            byte[] sent = {1, 2, 3, 4, 5};
            assertEquals(sent.length, pair.rx().enqueue(sent, 0, sent.length));
            byte[] got = new byte[8];
            assertEquals(sent.length, rx.dequeue(got, 0, got.length));
            assertEquals(List.of(1, 2, 3, 4, 5), List.of(got[0] + 0, got[1] + 0, got[2] + 0, got[3] + 0,
                    got[4] + 0), "the application's mapping holds the stack's FIFO");
        }
        fifos.free(pair);
        assertTrue(client.awaitNotifications(50).isEmpty(), "the first FIFO segment stays, unannounced");

        client.detach();
        await("detach closes the application's FIFO segments", fifos::isClosed);
    }

    @Test
    void fifoSizesBeyondTheStacksLimitAreRefusedByName() throws Exception {
        AttachServer server = start();
        AttachClient client = client(server);
        AttachMessage.Attach greedy = new AttachMessage.Attach("greedy", "", 0, 128L << 20, 64 << 10, 1 << 20, 64,
                true, true);
        AttachException refused = assertThrows(AttachException.class, () -> client.attach(greedy));
        assertEquals(AttachStatus.OUT_OF_RANGE, refused.status());
        assertTrue(refused.getMessage().contains("rx-fifo-size 134217728; the stack allows 64 to 67108864 bytes"),
                refused.getMessage());
        assertEquals(0, handler.applicationCount(), "nothing kept of the refused application");
    }

    @Test
    void everyMalformedMessageGetsItsStatusAndTheServerGoesOn() throws Exception {
        AttachServer server = start();
        UnixSocket socket = raw(server);
        long pid = ProcessHandle.current().pid();
        for (Map.Entry<AttachStatus, byte[]> c : AttachCodecTest.malformed().entrySet()) {
            Map.Entry<AttachStatus, String> refusal = RawAttach.refusal(RawAttach.exchange(socket, c.getValue()));
            assertEquals(c.getKey(), refusal.getKey(), refusal.getValue());
            assertTrue(refusal.getValue().matches("(ATTACH|message) from pid " + pid + ": .+"), refusal.getValue());
        }
        assertEquals(Map.entry(AttachStatus.VERSION_MISMATCH, "ATTACH from pid " + pid
                + ": protocol version 3, this stack speaks 1"),
                RawAttach.refusal(RawAttach.exchange(socket, AttachCodec.encode(AttachCodecTest.ATTACH, 3))));

        // Out of place: a request before ATTACH, a reply sent to the stack, descriptors attached.
        assertEquals(Map.entry(AttachStatus.NOT_ATTACHED, "ADD_WORKER from pid " + pid
                + ": send ATTACH first; this connection has no application yet"),
                RawAttach.refusal(RawAttach.exchange(socket, AttachCodec.encode(new AttachMessage.AddWorker()))));
        assertEquals(AttachStatus.UNEXPECTED_MESSAGE, RawAttach.refusal(RawAttach.exchange(socket, AttachCodec.encode(
                new AttachMessage.SegmentRemove(1)))).getKey());
        try (EventFd stray = EventFd.create(0, EventFd.EFD_CLOEXEC)) {
            assertEquals(Map.entry(AttachStatus.UNEXPECTED_FDS, "ATTACH from pid " + pid
                    + ": carried 1 descriptors; requests carry none, so they were closed"),
                    RawAttach.refusal(RawAttach.exchange(socket, AttachCodec.encode(AttachCodecTest.ATTACH),
                            List.of(stray.fd()))));
        }
        byte[] enormous = new byte[100_000];
        assertEquals(AttachStatus.TOO_LONG, RawAttach.refusal(RawAttach.exchange(socket, enormous)).getKey(),
                "larger than the server's receive buffer too");

        // The same connection still attaches, once; and another client is served as well.
        AttachMessage reply = RawAttach.exchange(socket, AttachCodec.encode(AttachCodecTest.ATTACH));
        assertEquals(AttachStatus.OK, ((AttachMessage.AttachReply) reply).status());
        assertEquals(AttachStatus.ALREADY_ATTACHED, RawAttach.refusal(RawAttach.exchange(socket, AttachCodec.encode(
                AttachCodecTest.ATTACH))).getKey());
        AttachClient good = client(server);
        assertEquals(0, good.attach(AttachCodecTest.ATTACH).index());
        assertEquals(2, handler.applicationCount());
    }

    @Test
    void versionMismatchReachesTheClientAsAnException() throws Exception {
        AttachServer server = start();
        AttachClient client = client(server);
        AttachException e = assertThrows(AttachException.class, () -> client.attach(new AttachMessage.Attach("a",
                "", 0, 4096, 4096, 1 << 20, 64, false, false)));
        assertEquals(AttachStatus.BAD_FLAGS, e.status());
        assertEquals("ATTACH from pid " + ProcessHandle.current().pid() + ": no scope asked for: set local "
                + "(cut-through), global (through TCP) or both", e.getMessage());
        assertEquals(AttachStatus.NO_SPACE, assertThrows(AttachException.class, () -> client.attach(
                new AttachMessage.Attach("a", "", 0, 4096, 4096, 64 << 10, 1 << 20, true, true))).status());
        assertEquals(0, client.attach(AttachCodecTest.ATTACH).index(), "the connection survives refusals");
    }

    @Test
    void namespaceSecretsAreChecked() throws Exception {
        namespaces.add("tenant-a", 0x1234_5678_9abc_def0L);
        AttachServer server = start();
        long pid = ProcessHandle.current().pid();
        AttachClient client = client(server);
        AttachException wrong = assertThrows(AttachException.class, () -> client.attach(new AttachMessage.Attach(
                "app", "tenant-a", 0x1234_5678_9abc_def1L, 4096, 4096, 1 << 20, 64, true, true)));
        assertEquals(AttachStatus.BAD_SECRET, wrong.status());
        assertEquals("ATTACH from pid " + pid + ": wrong secret for application namespace 'tenant-a'",
                wrong.getMessage());
        AttachException unknown = assertThrows(AttachException.class, () -> client.attach(new AttachMessage.Attach(
                "app", "tenant-b", 0, 4096, 4096, 1 << 20, 64, true, true)));
        assertEquals(AttachStatus.UNKNOWN_NAMESPACE, unknown.status());
        assertEquals("ATTACH from pid " + pid + ": no application namespace 'tenant-b' on this stack",
                unknown.getMessage());
        assertEquals(0, handler.applicationCount());
        client.attach(new AttachMessage.Attach("app", "tenant-a", 0x1234_5678_9abc_def0L, 4096, 4096, 1 << 20, 64,
                true, true));
        assertEquals(1, handler.applicationCount());
        AttachClient defaultNamespace = client(server);
        defaultNamespace.attach(new AttachMessage.Attach("app2", "default", 99, 4096, 4096, 1 << 20, 64, true,
                true));
        assertEquals(2, handler.applicationCount(), "the default namespace needs no secret");
    }

    @Test
    void closingWithoutDetachLeavesNothingBehind() throws Exception {
        AttachServer server = start();
        try (AttachClient warmUp = AttachClient.connect(server.path())) {
            warmUp.attach(AttachCodecTest.ATTACH); // loads every class the path needs before counting
        }
        await("the warm-up application is gone", () -> handler.applicationCount() == 0
                && server.connectionCount() == 0);
        long before = openFds();
        AttachClient client = AttachClient.connect(server.path());
        client.attach(AttachCodecTest.ATTACH);
        client.addWorker();
        client.addWorker();
        assertTrue(openFds() >= before + 2 * 4, "both sides hold the socket, memfd and eventfds");
        client.close(); // no DETACH
        await("the server freed the application", () -> handler.applicationCount() == 0);
        await("every descriptor is closed", () -> openFds() == before);
    }

    @Test
    void killedApplicationProcessLeavesNothingBehind() throws Exception {
        AttachServer server = start();
        long before = openFds();
        assertFalse(segmentsMapped());
        Path log = dir.resolve("peer.log");
        try (ChildJvm peer = ChildJvm.start(AttachingPeer.class, log, server.path().toString(), "30")) {
            await("the peer attached", () -> readQuietly(log).contains("attached"));
            assertEquals(1, handler.applicationCount());
            assertEquals(2, handler.workerCount(0));
            assertTrue(segmentsMapped(), "the stack maps the peer's segment");
            // The stack queues' eventfds are the stack workers' own, not the application's.
            assertTrue(openFds() >= before + 4, "connection, memfd and two worker eventfds");
        } // kill -9
        await("the server detached the killed application", () -> handler.applicationCount() == 0);
        await("every descriptor the application had is closed", () -> openFds() == before);
        assertFalse(segmentsMapped(), "the segment is unmapped");
        AttachClient next = client(server);
        assertEquals(0, next.attach(AttachCodecTest.ATTACH).index(), "and the server goes on");
    }

    private static String readQuietly(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return "";
        }
    }

    @Test
    void socketFileModeIsOwnerOnlyByDefaultAndConfigurable() throws Exception {
        AttachServer server = start();
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(server.path())));
        StackConfig.Session session = new StackConfig.Session(true, true, 1024,
                Optional.of(dir.resolve("group.sock")), 0660);
        try (AttachServer grouped = AttachServer.start(session, Optional.of("daemon"), namespaces, handler)) {
            assertEquals(dir.resolve("group.sock"), grouped.path());
            assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(grouped.path())));
            assertEquals("daemon", Files.readAttributes(grouped.path(), PosixFileAttributes.class).group().getName(),
                    "unix { gid } gives the attach socket to that group, as the control socket");
        }
        assertFalse(Files.exists(dir.resolve("group.sock")), "closing removes the socket file");
        IOException noGroup = assertThrows(IOException.class, () -> AttachServer.start(session,
                Optional.of("no-such-group-here"), namespaces, handler));
        assertTrue(noGroup.getMessage().contains("unix { gid no-such-group-here }: no such group, for attach"
                + " socket "), noGroup.getMessage());
        assertFalse(Files.exists(dir.resolve("group.sock")), "a start that failed leaves no socket file");
    }

    @Test
    void aStaleSocketIsReplacedALiveOneIsNot() throws Exception {
        Path path = dir.resolve("app.sock");
        try (UnixSocket dead = UnixSocket.open(UnixSocket.Type.SEQPACKET, false)) {
            dead.bind(path.toString()); // left behind, nobody listening
        }
        AttachServer server = start();
        IOException e = assertThrows(IOException.class, () -> AttachServer.start(path, 0600, namespaces, handler));
        assertEquals("another stack is listening on attach socket " + path
                + "; stop it or choose another session { app-socket-api ... }", e.getMessage());
        Files.writeString(dir.resolve("file"), "x");
        assertTrue(assertThrows(IOException.class, () -> AttachServer.start(dir.resolve("file"), 0600, namespaces,
                handler)).getMessage().contains("exists and is not a socket"));
        assertTrue(Files.exists(server.path()));
    }

    @Test
    void theClientSeesTheStackGo() throws Exception {
        AttachServer server = start();
        AttachClient client = client(server);
        client.attach(AttachCodecTest.ATTACH);
        server.close();
        IOException e = assertThrows(IOException.class, client::addWorker);
        assertTrue(e.getMessage().contains("closed the attach connection"), e.getMessage());
        assertFalse(client.isConnected());
        assertEquals(0, handler.applicationCount(), "stopping the server detached everyone");
        IOException refused = assertThrows(IOException.class, () -> AttachClient.connect(server.path()));
        assertEquals("no stack is listening for applications on " + server.path() + ": " + server.path()
                + " does not exist", refused.getMessage());
    }

    @Test
    void aClientThatDoesNotReadIsDisconnected() throws Exception {
        AttachServer server = start();
        UnixSocket socket = raw(server);
        byte[] garbage = new byte[16];
        // The server accepts on its own thread: until it has, its count is 0 and the loop below would not start.
        await("the server accepted the client", () -> server.connectionCount() > 0);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(garbage.length);
            socket.fd().setNonBlocking(true);
            // Each datagram gets an ERROR the client never reads; once its queue is full the server drops it.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            for (int i = 0; i < 100_000 && server.connectionCount() > 0 && System.nanoTime() < deadline; i++) {
                try {
                    if (socket.send(out) == Fds.WOULD_BLOCK) {
                        Thread.sleep(1);
                    }
                } catch (IOException e) {
                    // EPIPE or ECONNRESET once the server closed it; on a loaded machine also a transient
                    // ENOBUFS: either way keep going until the server's count says it dropped the client.
                    Thread.sleep(1);
                }
            }
        }
        await("the server dropped the client", () -> server.connectionCount() == 0);
        assertEquals(0, client(server).attach(AttachCodecTest.ATTACH).index(), "others are still served");
    }
}
