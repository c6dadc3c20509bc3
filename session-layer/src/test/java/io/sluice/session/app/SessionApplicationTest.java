package io.sluice.session.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.core.sys.EventFd;
import io.sluice.core.sys.SyscallException;
import io.sluice.core.util.AllocationMeter;
import io.sluice.session.attach.AttachMessage;
import io.sluice.session.attach.AttachServer;
import io.sluice.session.attach.MemfdAttachHandler;
import io.sluice.session.attach.NamespaceTable;
import io.sluice.session.cut.ChannelEnd;
import io.sluice.session.cut.CutThroughChannel;
import io.sluice.session.cut.CutThroughDescription;
import io.sluice.session.cut.CutThroughRole;
import io.sluice.session.fifo.ByteFifo;
import io.sluice.session.mq.MessageHandler;
import io.sluice.session.mq.MessageQueue;
import io.sluice.session.msg.SessionHandle;
import io.sluice.session.msg.SessionMessage;
import io.sluice.session.msg.SessionStatus;
import io.sluice.session.segment.FifoPair;
import io.sluice.session.segment.SegmentLimits;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The application side against a real attach server and segments, with the test playing the stack: it reads the
 * requests from the stack queues in its own mapping and posts the stack's answers into the worker's queue, as the
 * stack's session layer does.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SessionApplicationTest {

    private static final AttachMessage.Attach ATTACH = new AttachMessage.Attach("app-test", "", 0, 64 << 10,
            64 << 10, 1 << 20, 256, true, true);

    @TempDir
    Path dir;

    private final EventFd[] wakeups = {eventFd(), eventFd()};
    private final MemfdAttachHandler handler = new MemfdAttachHandler(SegmentLimits.DEFAULT,
            List.of(wakeups[0].fd(), wakeups[1].fd()));
    private AttachServer server;
    private SessionApplication app;

    @BeforeEach
    void attach() throws Exception {
        server = AttachServer.start(dir.resolve("app.sock"), AttachServer.DEFAULT_MODE, new NamespaceTable(),
                handler);
        handler.announceThrough(server);
        app = SessionApplication.attach(server.path(), ATTACH);
    }

    @AfterEach
    void close() throws Exception {
        if (app != null) {
            app.close();
        }
        server.close();
        handler.close();
        for (EventFd wakeup : wakeups) {
            wakeup.close();
        }
    }

    @Test
    void requestsGoToTheRightStackQueueWithEveryField() throws Exception {
        AppWorker worker = app.firstWorker();
        int listen = worker.requestListen(0xC6120002, 8080, 128, SessionMessage.FLAG_SCOPE_GLOBAL);
        List<long[]> seen = drain(0);
        assertEquals(1, seen.size());
        assertEquals(List.of((long) SessionMessage.LISTEN, (long) listen, 0L, 0xC6120002L, 8080L, 128L,
                (long) SessionMessage.FLAG_SCOPE_GLOBAL), List.of(seen.get(0)[0], seen.get(0)[1], seen.get(0)[2],
                seen.get(0)[3] & 0xFFFF_FFFFL, seen.get(0)[4], seen.get(0)[5], seen.get(0)[6]));

        int first = worker.requestConnect(0xC6120001, 80, 1000, SessionMessage.FLAG_SCOPE_GLOBAL, 0);
        int second = worker.requestConnect(0xC6120001, 81, 1000, SessionMessage.FLAG_SCOPE_GLOBAL, 0);
        List<long[]> onZero = drain(0);
        List<long[]> onOne = drain(1);
        assertEquals(1, onZero.size(), "connects go to the stack workers in turn");
        assertEquals(1, onOne.size(), "connects go to the stack workers in turn");
        assertTrue(onZero.get(0)[1] != onOne.get(0)[1] && List.of((long) first, (long) second).contains(
                onZero.get(0)[1]), "each CONNECT carries its own context");

        AppWorker second1 = app.addWorker();
        assertEquals(1, second1.index());
        second1.requestListen(0, 9, 1, SessionMessage.FLAG_SCOPE_LOCAL);
        assertEquals(1L, drain(0).get(0)[2], "the request names the worker that posted it");
    }

    @Test
    void aSessionMovesBytesBothWaysWithOneEventPerBurstAndEndsWithCleanup() throws Exception {
        AppWorker worker = app.firstWorker();
        FifoPair pair = handler.segments(app.appIndex()).allocate(); // announces the FIFO segment (SEGMENT_ADD)
        long handle = SessionHandle.of(SessionHandle.KIND_SESSION, 1, 7, 3);
        AppSession session = connect(worker, handle, pair);
        assertEquals(1, worker.sessionCount());
        assertEquals(0, drain(1).size(), "nothing posted yet");

        // Application to stack: three writes, one TX event, on the queue of the stack worker the handle names.
        byte[] out = new byte[3000];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) (i * 7);
        }
        for (int i = 0; i < 3; i++) {
            assertEquals(1000, session.write(out, i * 1000, 1000));
        }
        List<long[]> events = drain(1);
        assertEquals(1, events.size(), "one TX for the burst");
        assertEquals(SessionMessage.TX, events.get(0)[0]);
        assertEquals(handle, events.get(0)[7]);
        pair.tx().clearEvent();
        byte[] got = new byte[3000];
        assertEquals(3000, pair.tx().dequeue(got, 0, 3000));
        assertArrayEquals(out, got);

        // Stack to application: bytes in the rx FIFO and an RX event; the stack asked to hear of the dequeue.
        assertEquals(2000, pair.rx().enqueue(out, 0, 2000));
        assertTrue(pair.rx().setEvent());
        pair.rx().requestDequeueNotification(ByteFifo.NOTIFY_ALWAYS);
        postIo(SessionMessage.RX, handle);
        worker.poll();
        assertTrue(session.isReadable());
        byte[] in = new byte[4000];
        assertEquals(2000, session.read(in, 0, in.length));
        assertArrayEquals(Arrays.copyOf(out, 2000), Arrays.copyOf(in, 2000));
        assertEquals(SessionMessage.DEQUEUED, drain(1).get(0)[0], "the stack hears that the window opened");
        assertEquals(0, session.read(in, 0, in.length), "nothing more yet");

        // A full tx FIFO: the write takes what fits, and TX_SPACE wakes the writer when the stack drains it.
        byte[] big = new byte[(64 << 10) + 100];
        int taken = session.write(big, 0, big.length);
        assertEquals(64 << 10, taken, "the FIFO's capacity");
        int[] writable = new int[1];
        pair.tx().clearEvent();
        int before = pair.tx().readableBytes();
        assertEquals(4096, pair.tx().drop(4096));
        assertTrue(pair.tx().needsDequeueNotification(before), "the writer asked to hear of the next dequeue");
        postIo(SessionMessage.TX_SPACE, handle);
        worker.poll(new SessionEvents() {
            @Override
            public void onWritable(AppSession s) {
                writable[0]++;
            }
        }, 10);
        assertEquals(1, writable[0]);
        assertEquals(4096, session.writableBytes());

        // The peer closes: the buffered bytes, then end of stream; close, then cleanup.
        assertEquals(10, pair.rx().enqueue(out, 0, 10));
        postIo(SessionMessage.DISCONNECTED, handle);
        worker.poll();
        assertTrue(session.isPeerClosed());
        assertEquals(10, session.read(in, 0, in.length));
        assertEquals(-1, session.read(in, 0, in.length));
        session.close();
        List<long[]> closing = drain(1);
        assertEquals(SessionMessage.DISCONNECT, closing.get(closing.size() - 1)[0]);
        int disconnectContext = (int) closing.get(closing.size() - 1)[1];
        post(SessionMessage.CLEANUP, SessionStatus.OK, disconnectContext, handle, null);
        assertTrue(session.awaitCleanup(5_000));
        assertEquals(0, worker.sessionCount());
        SessionException closed = assertThrows(SessionException.class, () -> session.read(in, 0, 1));
        assertEquals(SessionStatus.INVALID_HANDLE, closed.status());
        postIo(SessionMessage.RX, handle);
        worker.poll();
        assertEquals(1, worker.strayEvents(), "a late event for a cleaned-up session is counted, not delivered");
    }

    @Test
    void failedConnectsAndResetsCarryTheStacksStatus() throws Exception {
        AppWorker worker = app.firstWorker();
        int context = worker.requestConnect(0xC6120001, 81, 1000, SessionMessage.FLAG_SCOPE_GLOBAL, 0);
        post(SessionMessage.CONNECTED, SessionStatus.REFUSED, context, 0, null);
        worker.waitUntil(() -> worker.hasReply(context), 5_000);
        SessionException refused = assertThrows(SessionException.class, () -> worker.connected(context));
        assertEquals(SessionStatus.REFUSED, refused.status());

        FifoPair pair = handler.segments(app.appIndex()).allocate();
        long handle = SessionHandle.of(SessionHandle.KIND_SESSION, 0, 1, 0);
        AppSession session = connect(worker, handle, pair);
        post(SessionMessage.RESET, SessionStatus.RESET, 0, handle, null);
        worker.poll();
        SessionException reset = assertThrows(SessionException.class, () -> session.write(new byte[1], 0, 1));
        assertEquals(SessionStatus.RESET, reset.status());
        assertTrue(reset.getMessage().endsWith("connection reset by peer"), reset.getMessage());
    }

    @Test
    void readingAndWritingAllocateNothing() throws Exception {
        AppWorker worker = app.firstWorker();
        FifoPair pair = handler.segments(app.appIndex()).allocate();
        long handle = SessionHandle.of(SessionHandle.KIND_SESSION, 1, 2, 9);
        AppSession session = connect(worker, handle, pair);
        MessageQueue stackQueue = handler.stackQueue(app.appIndex(), 1);
        MessageQueue workerQueue = handler.workerQueue(app.appIndex(), 0);
        byte[] chunk = new byte[1460];
        byte[] sink = new byte[4096];
        MessageHandler ignore = (m, at, length) -> { };
        long bytes = AllocationMeter.allocatedInSteadyState(() -> {
            try {
                for (int i = 0; i < 1000; i++) {
                    session.write(chunk, 0, chunk.length);
                    stackQueue.drain(ignore, 16);
                    pair.tx().clearEvent();
                    pair.tx().dequeue(sink, 0, sink.length);
                    pair.rx().enqueue(chunk, 0, chunk.length);
                    if (pair.rx().setEvent()) {
                        long position = workerQueue.tryClaim();
                        SessionMessage.io(workerQueue.memory(), workerQueue.payloadOffset(position),
                                SessionMessage.RX, handle, 0);
                        workerQueue.commit(position);
                    }
                    worker.poll(null, 16);
                    session.read(sink, 0, sink.length);
                }
            } catch (SessionException e) {
                throw new IllegalStateException(e);
            }
        });
        assertEquals(0, bytes, "bytes allocated per 1000 write + read rounds");
    }

    @Test
    void aStackThatGoesAwayFailsWaitingCallsWithAClearError() throws Exception {
        AppWorker worker = app.firstWorker();
        server.close(); // the stack stops: the attach connection closes
        long start = System.nanoTime();
        SessionException e = assertThrows(SessionException.class, () -> worker.listen(0, 80, 1,
                SessionMessage.FLAG_SCOPE_GLOBAL, 20_000));
        assertEquals(SessionStatus.ABORTED, e.status());
        assertTrue(e.getMessage().contains("the stack closed the attach connection"), e.getMessage());
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10), "noticed long before the timeout");
        assertFalse(app.isConnected());
    }

    @Test
    void cutThroughSessionsMoveBytesApplicationToApplicationWithoutTheStack() throws Exception {
        try (SessionApplication server = SessionApplication.attach(this.server.path(), new AttachMessage.Attach(
                "ct-server", "", 0, 64 << 10, 64 << 10, 1 << 20, 256, true, true))) {
            AppWorker client = app.firstWorker();
            AppWorker accepter = server.firstWorker();
            int clientApp = app.appIndex();
            int serverApp = server.appIndex();
            // The test plays the stack: a listener, a channel between the two workers, announced to both.
            int listen = accepter.requestListen(0, 7000, 8, SessionMessage.FLAG_SCOPE_LOCAL);
            drain(serverApp, 0);
            long listenerHandle = SessionHandle.of(SessionHandle.KIND_LISTENER, 0, 1, 0);
            post(serverApp, SessionMessage.BOUND, SessionStatus.OK, listen, listenerHandle, null, 0, 0);
            assertTrue(accepter.waitUntil(() -> accepter.hasReply(listen), 5_000));
            AppListener listener = accepter.bound(listen);
            try (CutThroughChannel channel = CutThroughChannel.create(9, 90, 91, new ChannelEnd(clientApp, "app-test",
                    0), new ChannelEnd(serverApp, "ct-server", 0), 4, 64 << 10, 64 << 10)) {
                this.server.notifyApplication(clientApp, new AttachMessage.ChannelAdd(0, CutThroughRole.CONNECTOR,
                        channel.description(), CutThroughDescription.FD_ROLES), List.of(channel.channelMemfd(),
                        channel.fifoMemfd(), handler.workerDoorbell(serverApp, 0).eventFd().fd())).get();
                this.server.notifyApplication(serverApp, new AttachMessage.ChannelAdd(0, CutThroughRole.ACCEPTER,
                        channel.description(), CutThroughDescription.FD_ROLES), List.of(channel.channelMemfd(),
                        channel.fifoMemfd(), handler.workerDoorbell(clientApp, 0).eventFd().fd())).get();
                FifoPair pair = channel.allocate();
                long clientHandle = SessionHandle.of(SessionHandle.KIND_CUT_THROUGH, 1, 1, 0);
                long serverHandle = SessionHandle.of(SessionHandle.KIND_CUT_THROUGH, 1, 1, 1);
                int context = client.requestConnect(0xC6120002, 7000, 1000, SessionMessage.FLAG_SCOPE_LOCAL, 0);
                drain(clientApp, 0);
                drain(clientApp, 1);
                post(clientApp, SessionMessage.CONNECTED, SessionStatus.OK, context, clientHandle, null, 9,
                        pair.slot());
                post(serverApp, SessionMessage.ACCEPTED, SessionStatus.OK, 0, serverHandle, null, 9, pair.slot(),
                        listenerHandle);
                assertTrue(client.waitUntil(() -> client.hasReply(context), 5_000));
                AppSession connected = client.connected(context);
                AppSession accepted = accepter.accept(listener, 5_000);
                assertNotNull(accepted);
                assertTrue(connected.isCutThrough() && accepted.isCutThrough());
                assertEquals(1, app.channelCount());

                // 64 MiB each way at once, each application on its own thread, sleeping when it cannot go on.
                long bytes = 64L << 20;
                Thread other = Thread.ofPlatform().start(() -> exchange(accepted, bytes));
                long[] mine = exchange(connected, bytes);
                other.join(60_000);
                assertFalse(other.isAlive());
                assertEquals(bytes, mine[0], "bytes received");
                assertEquals(mine[1], mine[2], "CRC of what came equals the CRC of what the peer sent");
                assertEquals(0, drain(clientApp, 1).size(), "no IO event went to the stack");
                assertEquals(0, drain(serverApp, 1).size(), "no IO event went to the stack");
            }
        }
    }

    /** Sends {@code bytes} of a counter pattern and reads as many; returns {received, crc received, crc expected}. */
    private static long[] exchange(AppSession session, long bytes) {
        try {
            CRC32 in = new CRC32();
            CRC32 expected = new CRC32();
            byte[] out = new byte[16 << 10];
            byte[] buffer = new byte[16 << 10];
            long sent = 0;
            long received = 0;
            AppWorker worker = session.worker();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(50);
            while ((sent < bytes || received < bytes) && System.nanoTime() < deadline) {
                worker.poll();
                boolean progress = false;
                if (sent < bytes) {
                    int n = (int) Math.min(out.length, bytes - sent);
                    for (int i = 0; i < n; i++) {
                        out[i] = (byte) ((sent + i) * 31 >>> 3);
                    }
                    int w = session.write(out, 0, n);
                    sent += w;
                    progress |= w > 0;
                }
                int r = session.read(buffer, 0, buffer.length);
                if (r > 0) {
                    in.update(buffer, 0, r);
                    for (int i = 0; i < r; i++) {
                        expected.update((byte) ((received + i) * 31 >>> 3));
                    }
                    received += r;
                    progress = true;
                }
                if (!progress) {
                    worker.await(100);
                }
            }
            return new long[] {received, in.getValue(), expected.getValue()};
        } catch (SessionException e) {
            throw new IllegalStateException(e);
        }
    }

    private AppSession connect(AppWorker worker, long handle, FifoPair pair) throws Exception {
        int context = worker.requestConnect(0xC6120001, 80, 1000, SessionMessage.FLAG_SCOPE_GLOBAL, 0);
        post(SessionMessage.CONNECTED, SessionStatus.OK, context, handle, pair);
        assertTrue(worker.waitUntil(() -> worker.hasReply(context), 5_000));
        AppSession session = worker.connected(context);
        assertNotNull(session);
        drain(0);
        drain(1);
        return session;
    }

    private void postIo(int type, long handle) throws Exception {
        post(type, SessionStatus.OK, 0, handle, null);
    }

    private List<long[]> drain(int stackWorker) throws Exception {
        return drain(app.appIndex(), stackWorker);
    }

    private List<long[]> drain(int appIndex, int stackWorker) throws Exception {
        MessageQueue queue = handler.stackQueue(appIndex, stackWorker);
        List<long[]> out = new ArrayList<>();
        queue.drain((m, at, length) -> out.add(new long[] {SessionMessage.type(m, at), SessionMessage.context(m, at),
                SessionMessage.appWorker(m, at), SessionMessage.address(m, at), SessionMessage.port(m, at),
                SessionMessage.value(m, at), SessionMessage.flags(m, at), SessionMessage.handle(m, at)}), 100);
        return out;
    }

    private void post(int type, SessionStatus status, int context, long handle, FifoPair pair) throws Exception {
        post(app.appIndex(), type, status, context, handle, pair, 0, 0);
    }

    private void post(int appIndex, int type, SessionStatus status, int context, long handle, FifoPair pair,
            long channel, int slot) throws Exception {
        post(appIndex, type, status, context, handle, pair, channel, slot, 0);
    }

    private void post(int appIndex, int type, SessionStatus status, int context, long handle, FifoPair pair,
            long channel, int slot, long otherHandle) throws Exception {
        MessageQueue queue = handler.workerQueue(appIndex, 0);
        long position = queue.tryClaim();
        assertTrue(position != MessageQueue.FULL);
        MemorySegment m = queue.memory();
        long at = queue.payloadOffset(position);
        SessionMessage.begin(m, at, type);
        SessionMessage.setStatus(m, at, status);
        SessionMessage.setContext(m, at, context);
        SessionMessage.setHandle(m, at, handle);
        if (pair != null) {
            SessionMessage.setFifos(m, at, pair.segmentId(), pair.txOffset(), pair.rxOffset());
        }
        if (channel != 0) {
            SessionMessage.setFlags(m, at, SessionMessage.FLAG_CUT_THROUGH);
            SessionMessage.setFifos(m, at, channel, slot, 0);
        }
        SessionMessage.setOtherHandle(m, at, otherHandle);
        queue.commit(position);
    }

    private static EventFd eventFd() {
        try {
            return EventFd.create(0, EventFd.EFD_NONBLOCK | EventFd.EFD_CLOEXEC);
        } catch (SyscallException e) {
            throw new IllegalStateException(e);
        }
    }
}
