package io.sluice.session.attach;

import io.sluice.core.config.VclConfig;
import io.sluice.core.sys.Epoll;
import io.sluice.core.sys.Errno;
import io.sluice.core.sys.EventFd;
import io.sluice.core.sys.Fds;
import io.sluice.core.sys.NativeFd;
import io.sluice.core.sys.SharedMemory;
import io.sluice.core.sys.SyscallException;
import io.sluice.core.sys.UnixSocket;
import io.sluice.session.mq.Doorbell;
import io.sluice.session.mq.EventFdDoorbell;
import io.sluice.session.mq.MessageQueue;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The application end of the attach protocol (what the comms library uses): connects to the stack's attach socket,
 * attaches, maps the segment it is given and builds views of the queues in it, adds and removes workers, detaches.
 *
 * <p>Each call sends one request and waits (at most the timeout) for its reply. A refusal or an ERROR becomes an
 * {@link AttachException} carrying the stack's status and message unchanged; a closed socket (the stack stopped)
 * becomes an {@link IOException} that says so, after which this client is {@linkplain #isConnected() disconnected}
 * and a new one may attach again. Segment notifications that arrive while waiting are kept for
 * {@link #takeNotifications()}. Not thread-safe: one thread at a time drives a client.
 */
public final class AttachClient implements AutoCloseable {

    /** How long a call waits for the stack's reply by default. */
    public static final int DEFAULT_TIMEOUT_MILLIS = 5_000;

    /**
     * A notification from the stack (SEGMENT_ADD, SEGMENT_REMOVE, CHANNEL_ADD, CHANNEL_REMOVE) and the descriptors
     * that came with it.
     */
    public record Notification(AttachMessage message, List<NativeFd> fds) {
    }

    /** A reply and its descriptors, checked against the roles it lists. */
    private record Reply<M extends AttachMessage>(M message, List<NativeFd> fds) {
    }

    private final Path path;
    private final UnixSocket socket;
    private final Epoll epoll;
    private final int timeoutMillis;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment buffer = arena.allocate(AttachCodec.MAX_MESSAGE_BYTES + 1L, 8);
    private final List<Notification> notifications = new ArrayList<>();
    private final Map<Integer, AttachedWorker> workers = new TreeMap<>();
    private boolean connected = true;
    private int appIndex = -1;
    private SharedMemory segment;
    /** Per stack worker: the queue this application posts to and the doorbell that wakes the worker. */
    private EventFdDoorbell[] stackDoorbells = new EventFdDoorbell[0];
    private MessageQueue[] stackQueues = new MessageQueue[0];

    private AttachClient(Path path, UnixSocket socket, Epoll epoll, int timeoutMillis) {
        this.path = path;
        this.socket = socket;
        this.epoll = epoll;
        this.timeoutMillis = timeoutMillis;
    }

    /**
     * Connects to the socket {@code vcl { app-socket-api }} names, or to {@link AttachServer#DEFAULT_PATH} when it
     * names none; attach with {@link AttachMessage.Attach#of(String, VclConfig)}.
     */
    public static AttachClient connect(VclConfig vcl) throws IOException {
        return connect(socketPath(vcl), DEFAULT_TIMEOUT_MILLIS);
    }

    /** @return the attach socket {@code vcl { app-socket-api }} names, or {@link AttachServer#DEFAULT_PATH} */
    public static Path socketPath(VclConfig vcl) {
        return vcl.appSocketApi().orElse(AttachServer.DEFAULT_PATH);
    }

    /** Connects with {@link #DEFAULT_TIMEOUT_MILLIS}. */
    public static AttachClient connect(Path path) throws IOException {
        return connect(path, DEFAULT_TIMEOUT_MILLIS);
    }

    /**
     * Connects to the stack's attach socket.
     *
     * @param timeoutMillis how long each later call waits for its reply
     * @throws IOException naming the path and why: no such file, nobody listening, permission denied
     */
    public static AttachClient connect(Path path, int timeoutMillis) throws IOException {
        UnixSocket socket = UnixSocket.open(UnixSocket.Type.SEQPACKET, false);
        Epoll epoll = null;
        try {
            socket.connect(path.toString());
            socket.fd().setNonBlocking(true);
            epoll = Epoll.create(1);
            epoll.add(socket.fd(), Epoll.EPOLLIN, 0);
            return new AttachClient(path, socket, epoll, timeoutMillis);
        } catch (SyscallException e) {
            Resources.closeQuietly(epoll);
            Resources.closeQuietly(socket);
            String why = switch (e.errno()) {
                case Errno.ENOENT -> path + " does not exist";
                case Errno.ECONNREFUSED -> "connection refused (a stack that died left its socket file)";
                case Errno.EACCES -> "permission denied (the socket's mode or group leaves this user out)";
                default -> e.getMessage();
            };
            throw new IOException("no stack is listening for applications on " + path + ": " + why, e);
        }
    }

    /**
     * Attaches: sends ATTACH, maps the segment of the reply and builds views of the stack queue and worker 0.
     *
     * @return worker 0
     * @throws AttachException when the stack refuses (bad secret, version, sizes...), with its status and message
     * @throws IOException when the stack does not answer or the connection breaks
     */
    public AttachedWorker attach(AttachMessage.Attach request) throws AttachException, IOException {
        if (appIndex >= 0) {
            throw new IllegalStateException("already attached as application " + appIndex);
        }
        Reply<AttachMessage.AttachReply> reply = request(request, AttachMessage.AttachReply.class);
        AttachMessage.AttachReply attached = reply.message();
        List<NativeFd> fds = reply.fds();
        try {
            if (attached.segments().isEmpty()) {
                throw new AttachException(AttachStatus.OUT_OF_RANGE, "ATTACH_REPLY lists no segment");
            }
            AttachMessage.Segment first = attached.segments().getFirst();
            NativeFd memfd = fds.get(attached.fds().indexOf(FdRole.SEGMENT_MEMFD));
            segment = SharedMemory.map(memfd, first.size());
            memfd.close(); // the mapping outlives the descriptor; nothing else needs it
            int queues = attached.stackQueueOffsets().size();
            int firstStackFd = attached.fds().indexOf(FdRole.STACK_QUEUE_EVENTFD);
            if (firstStackFd < 0 || firstStackFd + queues > fds.size() || attached.fds().subList(firstStackFd,
                    firstStackFd + queues).stream().anyMatch(role -> role != FdRole.STACK_QUEUE_EVENTFD)) {
                throw new AttachException(AttachStatus.UNEXPECTED_FDS, "ATTACH_REPLY lists " + queues
                        + " stack queues but not as many STACK_QUEUE_EVENTFD descriptors in a row: " + attached.fds());
            }
            stackDoorbells = new EventFdDoorbell[queues];
            stackQueues = new MessageQueue[queues];
            for (int w = 0; w < queues; w++) {
                stackDoorbells[w] = new EventFdDoorbell(EventFd.adopt(fds.get(firstStackFd + w)));
                stackQueues[w] = MessageQueue.attach(slice(attached.stackQueueOffsets().get(w)), stackDoorbells[w]);
            }
            appIndex = attached.appIndex();
            return addWorker(attached.worker(), fds.get(attached.fds().indexOf(FdRole.WORKER_QUEUE_EVENTFD)));
        } catch (AttachException | IOException | RuntimeException e) {
            fds.forEach(Resources::closeQuietly);
            closeState();
            throw e;
        }
    }

    /**
     * Adds a worker (ADD_WORKER): a new message queue in the segment and its eventfd.
     *
     * @return the new worker
     */
    public AttachedWorker addWorker() throws AttachException, IOException {
        requireAttached();
        Reply<AttachMessage.AddWorkerReply> reply = request(new AttachMessage.AddWorker(),
                AttachMessage.AddWorkerReply.class);
        try {
            return addWorker(reply.message().worker(), reply.fds().get(reply.message().fds().indexOf(
                    FdRole.WORKER_QUEUE_EVENTFD)));
        } catch (RuntimeException e) {
            reply.fds().forEach(Resources::closeQuietly);
            throw e;
        }
    }

    /** Removes a worker (DEL_WORKER); its queue view and eventfd are closed here too. */
    public void delWorker(int workerIndex) throws AttachException, IOException {
        requireAttached();
        request(new AttachMessage.DelWorker(workerIndex), AttachMessage.DelWorkerReply.class);
        AttachedWorker worker = workers.remove(workerIndex);
        if (worker != null) {
            Resources.closeQuietly(worker.doorbell());
        }
    }

    /** Detaches (DETACH) and closes everything; the stack frees the application's resources. */
    public void detach() throws IOException {
        try {
            if (connected) {
                send(AttachCodec.encode(new AttachMessage.Detach()));
            }
        } finally {
            close();
        }
    }

    /** @return the application's index, or -1 before attach */
    public int appIndex() {
        return appIndex;
    }

    /** @return the mapped first segment (valid until close) */
    public SharedMemory segment() {
        requireAttached();
        return segment;
    }

    /** @return how many stack queues there are: one per stack worker */
    public int stackQueueCount() {
        requireAttached();
        return stackQueues.length;
    }

    /**
     * @return the queue this application's workers post to for stack worker {@code worker} (the owner of the
     *     sessions whose handles name it), rung through its eventfd
     */
    public MessageQueue stackQueue(int worker) {
        requireAttached();
        return stackQueues[Objects.checkIndex(worker, stackQueues.length)];
    }

    /** @return the doorbell of stack worker {@code worker}'s queue (its eventfd wakes that worker) */
    public EventFdDoorbell stackDoorbell(int worker) {
        requireAttached();
        return stackDoorbells[Objects.checkIndex(worker, stackDoorbells.length)];
    }

    /** @return the workers, by index */
    public Map<Integer, AttachedWorker> workers() {
        return Map.copyOf(workers);
    }

    /** @return false once the stack closed the connection */
    public boolean isConnected() {
        return connected;
    }

    /** @return the notifications received so far (the caller owns their descriptors); the list is emptied */
    public List<Notification> takeNotifications() {
        List<Notification> taken = List.copyOf(notifications);
        notifications.clear();
        return taken;
    }

    /** Closes the connection without DETACH (the stack detaches the application when it sees the close). */
    @Override
    public void close() {
        closeState();
        for (Notification notification : notifications) {
            notification.fds().forEach(Resources::closeQuietly);
        }
        notifications.clear();
        connected = false;
        Resources.closeQuietly(epoll);
        Resources.closeQuietly(socket);
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }

    private AttachedWorker addWorker(AttachMessage.Worker described, NativeFd eventFd) {
        EventFdDoorbell doorbell = new EventFdDoorbell(EventFd.adopt(eventFd));
        try {
            AttachedWorker worker = new AttachedWorker(described.index(), MessageQueue.attach(
                    slice(described.queueOffset()), Doorbell.NONE), doorbell);
            workers.put(worker.index(), worker);
            return worker;
        } catch (RuntimeException e) {
            Resources.closeQuietly(doorbell);
            throw e;
        }
    }

    /** The segment from a queue's offset to its end; the queue view trims it to the queue's own size. */
    private MemorySegment slice(long offset) {
        if (offset < 0 || offset >= segment.size()) {
            throw new IllegalArgumentException("queue offset " + offset + " is outside the segment of "
                    + segment.size() + " bytes");
        }
        return segment.segment().asSlice(offset);
    }

    private <M extends AttachMessage> Reply<M> request(AttachMessage request, Class<M> replyType)
            throws AttachException, IOException {
        if (!connected) {
            throw new IOException("not connected to the stack at " + path + " (it closed the connection)");
        }
        send(AttachCodec.encode(request));
        String name = AttachCodec.typeName(AttachCodec.typeOf(request));
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (true) {
            UnixSocket.Received received = receive(deadline, name + " waited for its reply");
            if (received == null) {
                throw new IOException("no reply to " + name + " from the stack at " + path + " within "
                        + timeoutMillis + " ms");
            }
            Reply<M> reply = accept(received, replyType, name);
            if (reply != null) {
                return reply;
            }
        }
    }

    /**
     * Waits for notifications from the stack (SEGMENT_ADD, SEGMENT_REMOVE) when none has arrived yet.
     *
     * @param timeoutMillis the longest wait
     * @return the notifications received, as {@link #takeNotifications()}; empty if none came in time
     * @throws AttachException if the stack sent something else, or something malformed
     * @throws IOException if the stack closed the connection
     */
    public List<Notification> awaitNotifications(int timeoutMillis) throws AttachException, IOException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (connected && notifications.isEmpty()) {
            UnixSocket.Received received = receive(deadline, "the application waited for notifications");
            if (received == null) {
                break;
            }
            accept(received, null, null);
        }
        return takeNotifications();
    }

    /** @return the next datagram, or null once the deadline has passed */
    private UnixSocket.Received receive(long deadline, String waiting) throws IOException {
        boolean looked = false;
        while (true) {
            long leftNanos = deadline - System.nanoTime();
            if (leftNanos <= 0 && looked) {
                return null;
            }
            looked = true; // a deadline already past still gets one look without waiting
            long leftMillis = Math.max(0, (leftNanos + 999_999L) / 1_000_000L); // rounded up: never give up early
            if (epoll.waitFor((int) Math.min(leftMillis, Integer.MAX_VALUE)) == 0) {
                continue;
            }
            UnixSocket.Received received = socket.receiveWithFds(buffer, UnixSocket.MAX_FDS);
            if (received.bytes() == Fds.WOULD_BLOCK) {
                continue;
            }
            if (received.bytes() == 0) {
                connected = false;
                throw new IOException("the stack at " + path + " closed the attach connection while " + waiting
                        + " (the stack stopped, or dropped this application)");
            }
            return received;
        }
    }

    /** @return the reply, or null for a notification (kept); {@code replyType} null when no request waits */
    private <M extends AttachMessage> Reply<M> accept(UnixSocket.Received received, Class<M> replyType, String name)
            throws AttachException {
        List<NativeFd> fds = received.fds();
        try {
            ByteBuffer datagram = buffer.asSlice(0, received.bytes()).asByteBuffer();
            AttachMessage message;
            try {
                message = AttachCodec.decode(datagram, "this application");
            } catch (AttachException e) {
                throw new AttachException(e.status(), AttachCodec.describe(datagram) + " from the stack at " + path
                        + ": " + e.getMessage());
            }
            List<FdRole> roles = switch (message) {
                case AttachMessage.AttachReply r -> r.fds();
                case AttachMessage.AddWorkerReply r -> r.fds();
                case AttachMessage.SegmentAdd r -> r.fds();
                case AttachMessage.ChannelAdd r -> r.fds();
                default -> List.of();
            };
            if (roles.size() != fds.size()) {
                throw new AttachException(AttachStatus.UNEXPECTED_FDS, AttachCodec.typeName(AttachCodec.typeOf(
                        message)) + " lists " + roles.size() + " descriptors but " + fds.size() + " came with it");
            }
            switch (message) {
                case AttachMessage.SegmentAdd m -> {
                    notifications.add(new Notification(m, fds));
                    return null;
                }
                case AttachMessage.SegmentRemove m -> {
                    notifications.add(new Notification(m, fds));
                    return null;
                }
                case AttachMessage.ChannelAdd m -> {
                    notifications.add(new Notification(m, fds));
                    return null;
                }
                case AttachMessage.ChannelRemove m -> {
                    notifications.add(new Notification(m, fds));
                    return null;
                }
                case AttachMessage.Error m -> throw new AttachException(m.status(), m.message());
                case AttachMessage.AttachReply m when m.status() != AttachStatus.OK ->
                        throw new AttachException(m.status(), m.message());
                case AttachMessage.AddWorkerReply m when m.status() != AttachStatus.OK ->
                        throw new AttachException(m.status(), m.message());
                case AttachMessage.DelWorkerReply m when m.status() != AttachStatus.OK ->
                        throw new AttachException(m.status(), m.message());
                default -> {
                    if (replyType == null) {
                        throw new AttachException(AttachStatus.UNEXPECTED_MESSAGE, "the stack sent "
                                + AttachCodec.typeName(AttachCodec.typeOf(message)) + " when no request waited");
                    }
                    if (!replyType.isInstance(message)) {
                        throw new AttachException(AttachStatus.UNEXPECTED_MESSAGE, name + " was answered with "
                                + AttachCodec.typeName(AttachCodec.typeOf(message)));
                    }
                    return new Reply<>(replyType.cast(message), fds);
                }
            }
        } catch (AttachException | RuntimeException e) {
            fds.forEach(Resources::closeQuietly);
            throw e;
        }
    }

    private void send(byte[] bytes) throws IOException {
        MemorySegment datagram = buffer.asSlice(0, bytes.length);
        MemorySegment.copy(bytes, 0, datagram, ValueLayout.JAVA_BYTE, 0, bytes.length);
        long sent;
        try {
            sent = socket.send(datagram);
        } catch (SyscallException e) {
            connected = false;
            throw new IOException("the stack at " + path + " closed the attach connection: " + e.getMessage(), e);
        }
        if (sent == Fds.WOULD_BLOCK) {
            throw new IOException("the attach socket to " + path + " is full: the stack does not read it");
        }
    }

    private void requireAttached() {
        if (appIndex < 0) {
            throw new IllegalStateException("not attached: call attach first");
        }
    }

    private void closeState() {
        for (AttachedWorker worker : workers.values()) {
            Resources.closeQuietly(worker.doorbell());
        }
        workers.clear();
        for (EventFdDoorbell doorbell : stackDoorbells) {
            Resources.closeQuietly(doorbell);
        }
        Resources.closeQuietly(segment);
        stackDoorbells = new EventFdDoorbell[0];
        stackQueues = new MessageQueue[0];
        segment = null;
        appIndex = -1;
    }
}
