package io.sluice.session.stack;

import io.sluice.core.sys.SharedMemory;
import io.sluice.session.attach.AttachClient;
import io.sluice.session.attach.AttachMessage;
import io.sluice.session.attach.AttachedWorker;
import io.sluice.session.fifo.ByteFifo;
import io.sluice.session.mq.MessageQueue;
import io.sluice.session.msg.SessionMessage;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A small test-only application: attaches, posts requests as the message contract says, drains its worker queue
 * into {@link Event}s and maps FIFO segments from SEGMENT_ADD notifications. Not the real library: just enough to
 * drive the stack side from tests, one thread.
 */
final class TestApplication implements AutoCloseable {

    /** A message the stack posted, copied out of the queue. */
    record Event(int type, int status, int context, long handle, int address, int port, int value, int localAddress,
            int localPort, long segmentId, long txOffset, long rxOffset, long otherHandle) {

        static Event read(MemorySegment m, long at) {
            return new Event(SessionMessage.type(m, at), SessionMessage.status(m, at), SessionMessage.context(m, at),
                    SessionMessage.handle(m, at), SessionMessage.address(m, at), SessionMessage.port(m, at),
                    SessionMessage.value(m, at), SessionMessage.localAddress(m, at), SessionMessage.localPort(m, at),
                    SessionMessage.segmentId(m, at), SessionMessage.txOffset(m, at), SessionMessage.rxOffset(m, at),
                    SessionMessage.otherHandle(m, at));
        }

        @Override
        public String toString() {
            return SessionMessage.typeName(type) + "(status " + status + ", context " + context + ", handle 0x"
                    + Long.toHexString(handle) + ", value " + value + ")";
        }
    }

    /** A session's two FIFOs in this application's mapping. */
    record Fifos(ByteFifo tx, ByteFifo rx) {
    }

    final AttachClient client;
    final AttachedWorker worker;
    private final List<Event> received = new ArrayList<>();
    private final Map<Long, SharedMemory> segments = new HashMap<>();
    private int nextContext = 1;

    private TestApplication(AttachClient client, AttachedWorker worker) {
        this.client = client;
        this.worker = worker;
    }

    static TestApplication attach(Path socket, String name, int fifoBytes) throws Exception {
        return attach(socket, name, fifoBytes, 1024);
    }

    /** Attaches with worker queues of {@code queueSlots} events. */
    static TestApplication attach(Path socket, String name, int fifoBytes, int queueSlots) throws Exception {
        AttachClient client = AttachClient.connect(socket);
        try {
            AttachedWorker worker = client.attach(new AttachMessage.Attach(name, "", 0, fifoBytes, fifoBytes,
                    4 << 20, queueSlots, false, true));
            return new TestApplication(client, worker);
        } catch (Exception e) {
            client.close();
            throw e;
        }
    }

    int appIndex() {
        return client.appIndex();
    }

    int stackWorkers() {
        return client.stackQueueCount();
    }

    /** Posts a request to stack worker {@code stackWorker}'s queue; returns its context. */
    int post(int stackWorker, int type, long handle, int address, int port, int value, int localAddress) {
        int context = nextContext++;
        MessageQueue queue = client.stackQueue(stackWorker);
        long position = queue.tryClaim();
        if (position == MessageQueue.FULL) {
            throw new IllegalStateException("stack queue " + stackWorker + " is full");
        }
        MemorySegment m = queue.memory();
        long at = queue.payloadOffset(position);
        SessionMessage.begin(m, at, type);
        SessionMessage.setContext(m, at, context);
        SessionMessage.setHandle(m, at, handle);
        SessionMessage.setAddress(m, at, address, port);
        SessionMessage.setValue(m, at, value);
        SessionMessage.setLocal(m, at, localAddress, 0);
        SessionMessage.setAppWorker(m, at, worker.index());
        queue.commit(position);
        return context;
    }

    /** Posts a request about a session to the stack worker that owns it. */
    int post(int type, long handle, int value) {
        return post(io.sluice.session.msg.SessionHandle.worker(handle), type, handle, 0, 0, value, 0);
    }

    /** Posts an IO event (TX, DEQUEUED) without a context: the hot path. */
    void postIo(int type, long handle) {
        MessageQueue queue = client.stackQueue(io.sluice.session.msg.SessionHandle.worker(handle));
        long position = queue.tryClaim();
        if (position == MessageQueue.FULL) {
            throw new IllegalStateException("stack queue is full");
        }
        SessionMessage.io(queue.memory(), queue.payloadOffset(position), type, handle, worker.index());
        queue.commit(position);
    }

    /** Drains the worker queue into the list of received events. */
    void drain() {
        worker.queue().drain((m, at, length) -> received.add(Event.read(m, at)), 1024);
    }

    /** The first received event {@code match} accepts (removed), waiting up to {@code millis}; fails otherwise. */
    Event await(Predicate<Event> match, long millis, String what) {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (true) {
            drain();
            for (Iterator<Event> it = received.iterator(); it.hasNext();) {
                Event e = it.next();
                if (match.test(e)) {
                    it.remove();
                    return e;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + what + " within " + millis + " ms; received " + received);
            }
            Thread.onSpinWait();
        }
    }

    Event awaitReply(int context, long millis) {
        return await(e -> e.context() == context && e.type() != SessionMessage.CLEANUP, millis,
                "reply to request " + context);
    }

    Event awaitType(int type, long handle, long millis) {
        return await(e -> e.type() == type && (handle == 0 || e.handle() == handle), millis,
                SessionMessage.typeName(type));
    }

    /** Events received and not taken yet. */
    List<Event> pending() {
        drain();
        return List.copyOf(received);
    }

    /** The FIFOs of a CONNECTED or ACCEPTED session, mapping its segment first if needed. */
    Fifos fifos(Event opened) throws Exception {
        SharedMemory segment = segments.get(opened.segmentId());
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (segment == null && System.nanoTime() < deadline) {
            for (AttachClient.Notification n : client.awaitNotifications(100)) {
                if (n.message() instanceof AttachMessage.SegmentAdd add) {
                    segments.put(add.segment().id(), SharedMemory.map(n.fds().getFirst(), add.segment().size()));
                    n.fds().getFirst().close();
                }
            }
            segment = segments.get(opened.segmentId());
        }
        if (segment == null) {
            throw new AssertionError("segment " + opened.segmentId() + " was never announced");
        }
        MemorySegment memory = segment.segment();
        return new Fifos(ByteFifo.attach(memory.asSlice(opened.txOffset())),
                ByteFifo.attach(memory.asSlice(opened.rxOffset())));
    }

    @Override
    public void close() throws Exception {
        client.close();
        for (SharedMemory segment : segments.values()) {
            segment.close();
        }
        segments.clear();
    }
}
