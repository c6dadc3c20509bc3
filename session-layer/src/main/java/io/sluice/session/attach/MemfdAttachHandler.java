package io.sluice.session.attach;

import io.sluice.core.sys.EventFd;
import io.sluice.core.sys.NativeFd;
import io.sluice.core.sys.SharedMemory;
import io.sluice.core.sys.SyscallException;
import io.sluice.core.sys.UnixSocket;
import io.sluice.session.mq.Doorbell;
import io.sluice.session.mq.EventFdDoorbell;
import io.sluice.session.mq.MessageQueue;
import io.sluice.session.mq.Producers;
import io.sluice.session.mq.QueueLayout;
import io.sluice.session.segment.FifoSegment;
import io.sluice.session.segment.SegmentException;
import io.sluice.session.segment.SegmentFiles;
import io.sluice.session.segment.SegmentLimits;
import io.sluice.session.segment.SegmentManager;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.ArrayList;
import java.util.TreeMap;

/**
 * The attach protocol's resources, made for real: per application one memfd segment, mapped here and sent to the
 * application, holding one stack queue per stack worker (the application's workers post a session's requests to
 * the queue of the stack worker that owns it; at the start of the segment) and one message queue per application
 * worker, each with its eventfd. A stack queue's eventfd is its stack worker's wakeup eventfd
 * ({@code Engine.wakeupFd}): the application writes it only after the worker announced its sleep in the queue.
 * Worker queues are all the same size, so a freed one is reused as is.
 *
 * <p>Each application also gets a {@link SegmentManager} for its sessions' FIFOs ({@link #segments}), with the
 * FIFO sizes of its ATTACH bounded by the stack's {@link SegmentLimits}. FIFOs live in segments of their own, made
 * when the first FIFO pair is asked for and announced with SEGMENT_ADD through the server given to
 * {@link #announceThrough}: the first segment's layout then stays the queues' alone, and a FIFO segment can come
 * and go (SEGMENT_REMOVE) without touching the queues.
 *
 * <p>Attach, worker and detach calls come from the attach server's thread; {@link #addSegment},
 * {@link #removeSegment} and the segment managers may be used from others.
 */
public final class MemfdAttachHandler implements AttachHandler, AttachedApplications, AutoCloseable {

    /** Bytes of each queue slot: room for a control event. */
    public static final int QUEUE_SLOT_SIZE = 64;

    private final Map<Integer, Application> applications = new ConcurrentHashMap<>();
    private int nextAppIndex;
    private final AtomicLong nextSegmentId = new AtomicLong(1);
    private final SegmentLimits limits;
    /** Per stack worker, the eventfd that wakes it (sent with each ATTACH_REPLY; not closed here). */
    private final List<NativeFd> stackWakeups;
    /** Wakeup eventfds this handler made itself (no engine given), closed with it. */
    private final List<EventFd> ownWakeups = new ArrayList<>();
    /** Where FIFO segments are announced; null until {@link #announceThrough}. */
    private volatile AttachServer announcer;

    /** A handler for one stack worker with an eventfd of its own, granting FIFOs within the default limits. */
    public MemfdAttachHandler() {
        this(SegmentLimits.DEFAULT);
    }

    /** A handler for one stack worker with an eventfd of its own, granting FIFOs within {@code limits}. */
    public MemfdAttachHandler(SegmentLimits limits) {
        this.limits = limits;
        try {
            ownWakeups.add(EventFd.create(0, EventFd.EFD_NONBLOCK | EventFd.EFD_CLOEXEC));
        } catch (SyscallException e) {
            throw new IllegalStateException("cannot make the stack queue's eventfd: " + e.getMessage(), e);
        }
        this.stackWakeups = List.of(ownWakeups.getFirst().fd());
    }

    /**
     * A handler for a stack whose workers wake on {@code stackWakeups} (one per worker, owned by the caller),
     * granting FIFOs within {@code limits}.
     */
    public MemfdAttachHandler(SegmentLimits limits, List<NativeFd> stackWakeups) {
        if (stackWakeups.isEmpty() || stackWakeups.size() > AttachCodec.MAX_STACK_QUEUES) {
            throw new IllegalArgumentException("stack workers: " + stackWakeups.size() + ", not 1.."
                    + AttachCodec.MAX_STACK_QUEUES);
        }
        this.limits = limits;
        this.stackWakeups = List.copyOf(stackWakeups);
    }

    /**
     * Sends SEGMENT_ADD and SEGMENT_REMOVE for the applications' FIFO segments through {@code server} (the server
     * that serves this handler, which is made after it).
     */
    public void announceThrough(AttachServer server) {
        this.announcer = server;
    }

    /** One attached application's segment, queues and eventfds. */
    private static final class Application implements AutoCloseable {
        final String name;
        final long segmentId;
        final NativeFd memfd;
        final SharedMemory mapping;
        final int slots;
        final long blockSize;
        /** Per stack worker, the queue the application posts to; the stack worker consumes. */
        final MessageQueue[] stackQueues;
        final Map<Integer, Worker> workers = new ConcurrentSkipListMap<>();
        /** Segments added after the first, by id. */
        final Map<Long, AddedSegment> added = new ConcurrentHashMap<>();
        final Deque<Long> freeBlocks = new ArrayDeque<>();
        long nextBlock;
        SegmentManager fifos;

        Application(String name, long segmentId, NativeFd memfd, SharedMemory mapping, int slots, long blockSize,
                int stackWorkers) {
            this.name = name;
            this.segmentId = segmentId;
            this.memfd = memfd;
            this.mapping = mapping;
            this.slots = slots;
            this.blockSize = blockSize;
            this.stackQueues = new MessageQueue[stackWorkers];
            for (int w = 0; w < stackWorkers; w++) {
                // The stack consumes: its doorbell is never rung from here.
                stackQueues[w] = MessageQueue.format(mapping.segment().asSlice(w * blockSize, blockSize), slots,
                        QUEUE_SLOT_SIZE, Producers.MULTIPLE, Doorbell.NONE);
            }
            this.nextBlock = stackWorkers * blockSize;
        }

        List<Long> stackQueueOffsets() {
            List<Long> offsets = new ArrayList<>(stackQueues.length);
            for (int w = 0; w < stackQueues.length; w++) {
                offsets.add(w * blockSize);
            }
            return offsets;
        }

        @Override
        public void close() {
            if (fifos != null) {
                fifos.close();
            }
            for (Worker worker : workers.values()) {
                Resources.closeQuietly(worker.doorbell);
            }
            workers.clear();
            for (AddedSegment segment : added.values()) {
                segment.close();
            }
            added.clear();
            Resources.closeQuietly(mapping);
            Resources.closeQuietly(memfd);
        }
    }

    /** A segment added to an application after attach: its memfd and the stack's mapping. */
    private record AddedSegment(NativeFd memfd, SharedMemory mapping) implements AutoCloseable {
        @Override
        public void close() {
            Resources.closeQuietly(mapping);
            Resources.closeQuietly(memfd);
        }
    }

    /** A worker: its queue's offset in the segment, the queue, and the doorbell the stack rings. */
    private record Worker(int index, long offset, MessageQueue queue, EventFdDoorbell doorbell) {
    }

    @Override
    public Grant<AttachMessage.AttachReply> attach(AttachMessage.Attach request, String namespace,
            UnixSocket.PeerCredentials peer) throws AttachException {
        int slots = Integer.highestOneBit(request.eventQueueSize() - 1) << 1; // a power of two, as queues need
        long blockSize = align(QueueLayout.footprint(slots, QUEUE_SLOT_SIZE), QueueLayout.CACHE_LINE);
        long segmentSize = align(request.segmentSize(), SharedMemory.pageSize());
        int queues = stackWakeups.size() + 1;
        if (queues * blockSize > segmentSize) {
            throw new AttachException(AttachStatus.NO_SPACE, "segment-size " + request.segmentSize()
                    + " cannot hold the first " + queues + " message queues (one per stack worker, one for the"
                    + " application's first worker) of " + slots + " slots (" + queues * blockSize
                    + " bytes); raise segment-size or lower event-queue-size");
        }
        int appIndex = nextAppIndex++;
        long segmentId = nextSegmentId.getAndIncrement();
        Application app = null;
        NativeFd memfd = null;
        SharedMemory mapping = null;
        try {
            memfd = SegmentFiles.createSealed("sluice-app-" + appIndex + "-" + request.appName(), segmentSize);
            mapping = SharedMemory.map(memfd, segmentSize);
            app = new Application(request.appName(), segmentId, memfd, mapping, slots, blockSize,
                    stackWakeups.size());
            app.fifos = new SegmentManager(request.appName(), request.rxFifoSize(), request.txFifoSize(),
                    request.segmentSize(), limits, nextSegmentId, announcer(appIndex));
            Worker worker = newWorker(app);
            applications.put(appIndex, app);
            List<FdRole> roles = new ArrayList<>();
            List<NativeFd> fds = new ArrayList<>();
            roles.add(FdRole.SEGMENT_MEMFD);
            fds.add(memfd);
            for (NativeFd wakeup : stackWakeups) {
                roles.add(FdRole.STACK_QUEUE_EVENTFD);
                fds.add(wakeup);
            }
            roles.add(FdRole.WORKER_QUEUE_EVENTFD);
            fds.add(worker.doorbell.eventFd().fd());
            return new Grant<>(new AttachMessage.AttachReply(AttachStatus.OK, "attached '" + request.appName()
                    + "' to namespace '" + namespace + "' as application " + appIndex, appIndex,
                    List.of(new AttachMessage.Segment(segmentId, segmentSize)), app.stackQueueOffsets(),
                    describe(app, worker), roles), fds);
        } catch (SyscallException | AttachException | SegmentException | RuntimeException e) {
            if (app != null) {
                app.close();
            } else {
                Resources.closeQuietly(mapping);
                Resources.closeQuietly(memfd);
            }
            if (e instanceof AttachException refused) {
                throw refused;
            }
            if (e instanceof SegmentException beyondLimits) {
                throw new AttachException(AttachStatus.OUT_OF_RANGE, beyondLimits.getMessage());
            }
            throw new AttachException(AttachStatus.INTERNAL, "the stack could not make the segment for '"
                    + request.appName() + "': " + e.getMessage());
        }
    }

    @Override
    public Grant<AttachMessage.AddWorkerReply> addWorker(int appIndex) throws AttachException {
        Application app = application(appIndex);
        try {
            Worker worker = newWorker(app);
            return new Grant<>(new AttachMessage.AddWorkerReply(AttachStatus.OK, "worker " + worker.index
                    + " added to application " + appIndex, describe(app, worker),
                    List.of(FdRole.WORKER_QUEUE_EVENTFD)), List.of(worker.doorbell.eventFd().fd()));
        } catch (SyscallException e) {
            throw new AttachException(AttachStatus.INTERNAL, "the stack could not make the eventfd of a new worker"
                    + " of application " + appIndex + ": " + e.getMessage());
        }
    }

    @Override
    public void delWorker(int appIndex, int workerIndex) throws AttachException {
        Application app = application(appIndex);
        Worker worker = worker(appIndex, workerIndex);
        app.workers.remove(workerIndex);
        Resources.closeQuietly(worker.doorbell);
        app.freeBlocks.push(worker.offset);
    }

    @Override
    public void detach(int appIndex) {
        Application app = applications.get(appIndex);
        if (app != null) {
            app.close();
            applications.remove(appIndex); // after closing, so applicationCount() drops once everything is freed
        }
    }

    /**
     * Makes another segment for an application (what the segment manager does when one fills), mapped here; send
     * the grant with {@link AttachServer#notifyApplication}.
     *
     * @param size bytes, rounded up to a page
     * @return the SEGMENT_ADD and the segment's memfd (owned here until {@link #removeSegment} or detach)
     */
    public Grant<AttachMessage.SegmentAdd> addSegment(int appIndex, long size) throws AttachException {
        Application app = application(appIndex);
        long bytes = align(size, SharedMemory.pageSize());
        long id = nextSegmentId.getAndIncrement();
        NativeFd memfd = null;
        try {
            memfd = SegmentFiles.createSealed("sluice-app-" + appIndex + "-" + app.name + "-" + id, bytes);
            AddedSegment segment = new AddedSegment(memfd, SharedMemory.map(memfd, bytes));
            app.added.put(id, segment);
            return new Grant<>(new AttachMessage.SegmentAdd(new AttachMessage.Segment(id, bytes),
                    List.of(FdRole.SEGMENT_MEMFD)), List.of(memfd));
        } catch (SyscallException | RuntimeException e) {
            Resources.closeQuietly(memfd);
            throw new AttachException(AttachStatus.INTERNAL, "the stack could not add a segment of " + bytes
                    + " bytes to application " + appIndex + ": " + e.getMessage());
        }
    }

    /**
     * Frees a segment added with {@link #addSegment}; tell the application with SEGMENT_REMOVE (its own mapping
     * stays valid memory until it unmaps it).
     *
     * @return the SEGMENT_REMOVE to send
     */
    public AttachMessage.SegmentRemove removeSegment(int appIndex, long segmentId) throws AttachException {
        Application app = application(appIndex);
        AddedSegment segment = app.added.remove(segmentId);
        if (segment == null) {
            throw new AttachException(AttachStatus.OUT_OF_RANGE, "application " + appIndex + " has no added segment "
                    + segmentId);
        }
        segment.close();
        return new AttachMessage.SegmentRemove(segmentId);
    }

    /** @return the manager of an application's FIFO segments: FIFO pairs for its sessions */
    public SegmentManager segments(int appIndex) throws AttachException {
        return application(appIndex).fifos;
    }

    /**
     * Sends a notification (CHANNEL_ADD, CHANNEL_REMOVE...) to an application through the server given to
     * {@link #announceThrough}; the descriptors must stay open until it is sent.
     *
     * @throws AttachException INTERNAL when no server announces for this handler
     */
    public CompletableFuture<Boolean> notifyApplication(int appIndex, AttachMessage notification,
            List<NativeFd> fds) throws AttachException {
        AttachServer server = announcer;
        if (server == null) {
            throw new AttachException(AttachStatus.INTERNAL, "no attach server to tell application " + appIndex
                    + " about " + AttachCodec.typeName(AttachCodec.typeOf(notification)));
        }
        return server.notifyApplication(appIndex, notification, fds);
    }

    /** Announces an application's FIFO segments to it, once the server is known. */
    private SegmentManager.Listener announcer(int appIndex) {
        return new SegmentManager.Listener() {
            @Override
            public void segmentAdded(FifoSegment segment) {
                AttachServer server = announcer;
                if (server != null) {
                    server.notifyApplication(appIndex, new AttachMessage.SegmentAdd(new AttachMessage.Segment(
                            segment.id(), segment.size()), List.of(FdRole.SEGMENT_MEMFD)), List.of(segment.memfd()));
                }
            }

            @Override
            public void segmentRemoved(FifoSegment segment) {
                AttachServer server = announcer;
                if (server != null) {
                    server.notifyApplication(appIndex, new AttachMessage.SegmentRemove(segment.id()), List.of());
                }
            }
        };
    }

    /** Every attached application, in index order (control path: allocates). */
    @Override
    public List<ApplicationInfo> snapshot() {
        List<ApplicationInfo> out = new ArrayList<>();
        new TreeMap<>(applications).forEach((index, app) -> {
            SegmentManager fifos = app.fifos;
            out.add(new ApplicationInfo(index, app.name, app.workers.size(), fifos == null ? 0 : fifos.segmentCount(),
                    fifos == null ? 0 : fifos.inUse()));
        });
        return out;
    }

    /** Every segment: each application's queue segment, then its FIFO segments (control path: allocates). */
    @Override
    public List<SegmentInfo> segmentSnapshot() {
        List<SegmentInfo> out = new ArrayList<>();
        new TreeMap<>(applications).forEach((index, app) -> {
            int blocks = (int) (app.mapping.size() / app.blockSize);
            out.add(new SegmentInfo(index, app.name, app.segmentId, "queues", app.mapping.size(), blocks,
                    app.stackQueues.length + app.workers.size()));
            SegmentManager fifos = app.fifos;
            if (fifos != null) {
                for (FifoSegment segment : fifos.segments()) {
                    out.add(new SegmentInfo(index, app.name, segment.id(), "fifos", segment.size(),
                            segment.slotCount(), Math.max(0, segment.inUse())));
                }
            }
        });
        return out;
    }

    /** Every message queue: each application's stack queues, then its workers' (control path: allocates). */
    @Override
    public List<QueueInfo> queueSnapshot() {
        List<QueueInfo> out = new ArrayList<>();
        new TreeMap<>(applications).forEach((index, app) -> {
            for (int w = 0; w < app.stackQueues.length; w++) {
                out.add(queueInfo(index, app.name, "stack " + w, app.stackQueues[w]));
            }
            for (Worker worker : app.workers.values()) {
                out.add(queueInfo(index, app.name, "worker " + worker.index, worker.queue));
            }
        });
        return out;
    }

    private static QueueInfo queueInfo(int appIndex, String appName, String name, MessageQueue queue) {
        return new QueueInfo(appIndex, appName, name, queue.producers().name().toLowerCase(Locale.ROOT),
                queue.slotCount(), queue.payloadSize() + QueueLayout.SLOT_PAYLOAD_OFFSET, queue.size(),
                queue.fullCount(), queue.wakeupCount());
    }

    /** @return how many applications are attached */
    public int applicationCount() {
        return applications.size();
    }

    /** @return how many workers an application has, or -1 if it is not attached */
    public int workerCount(int appIndex) {
        Application app = applications.get(appIndex);
        return app == null ? -1 : app.workers.size();
    }

    /** @return the queue an application's workers post to for stack worker {@code stackWorker} (who consumes it) */
    public MessageQueue stackQueue(int appIndex, int stackWorker) throws AttachException {
        MessageQueue[] queues = application(appIndex).stackQueues;
        return queues[Objects.checkIndex(stackWorker, queues.length)];
    }

    /** @return how many stack queues each application gets: one per stack worker */
    public int stackWorkers() {
        return stackWakeups.size();
    }

    /** @return a worker's queue (the stack produces; posting rings the worker's eventfd when it sleeps) */
    public MessageQueue workerQueue(int appIndex, int workerIndex) throws AttachException {
        return worker(appIndex, workerIndex).queue;
    }

    /** @return a worker's doorbell: writing its eventfd wakes the worker */
    public EventFdDoorbell workerDoorbell(int appIndex, int workerIndex) throws AttachException {
        return worker(appIndex, workerIndex).doorbell;
    }

    /** Detaches every application (the stack is stopping). */
    public void detachAll() {
        for (Application app : applications.values()) {
            app.close();
        }
        applications.clear();
    }

    /** Detaches every application and closes the wakeup eventfds this handler made itself. */
    @Override
    public void close() {
        detachAll();
        for (EventFd own : ownWakeups) {
            Resources.closeQuietly(own);
        }
        ownWakeups.clear();
    }

    private Application application(int appIndex) throws AttachException {
        Application app = applications.get(appIndex);
        if (app == null) {
            throw new AttachException(AttachStatus.NOT_ATTACHED, "no application " + appIndex + " is attached");
        }
        return app;
    }

    private Worker worker(int appIndex, int workerIndex) throws AttachException {
        Application app = application(appIndex);
        Worker worker = app.workers.get(workerIndex);
        if (worker == null) {
            throw new AttachException(AttachStatus.UNKNOWN_WORKER, "application " + appIndex + " ('" + app.name
                    + "') has no worker " + workerIndex + "; its workers are " + app.workers.keySet());
        }
        return worker;
    }

    /** Takes a free block (a freed one first), formats a queue in it and makes its eventfd. */
    private static Worker newWorker(Application app) throws SyscallException, AttachException {
        long offset;
        if (!app.freeBlocks.isEmpty()) {
            offset = app.freeBlocks.peek();
        } else if (app.nextBlock + app.blockSize <= app.mapping.size()) {
            offset = app.nextBlock;
        } else {
            throw new AttachException(AttachStatus.NO_SPACE, "the segment of application '" + app.name + "' ("
                    + app.mapping.size() + " bytes) has no room for another worker queue of " + app.blockSize
                    + " bytes; it has " + app.workers.size() + " workers");
        }
        EventFd eventFd = EventFd.create(0, EventFd.EFD_NONBLOCK | EventFd.EFD_CLOEXEC);
        EventFdDoorbell doorbell = new EventFdDoorbell(eventFd);
        MessageQueue queue = MessageQueue.format(app.mapping.segment().asSlice(offset, app.blockSize), app.slots,
                QUEUE_SLOT_SIZE, Producers.MULTIPLE, doorbell);
        if (offset == app.nextBlock) {
            app.nextBlock += app.blockSize;
        } else {
            app.freeBlocks.pop();
        }
        int index = 0;
        while (app.workers.containsKey(index)) {
            index++;
        }
        Worker worker = new Worker(index, offset, queue, doorbell);
        app.workers.put(index, worker);
        return worker;
    }

    private static AttachMessage.Worker describe(Application app, Worker worker) {
        return new AttachMessage.Worker(worker.index, app.segmentId, worker.offset);
    }

    private static long align(long value, long alignment) {
        return (value + alignment - 1) / alignment * alignment;
    }
}
