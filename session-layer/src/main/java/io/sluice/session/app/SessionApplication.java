package io.sluice.session.app;

import io.sluice.core.sys.EventFd;
import io.sluice.core.sys.NativeFd;
import io.sluice.core.sys.SharedMemory;
import io.sluice.core.sys.SyscallException;
import io.sluice.session.attach.AttachClient;
import io.sluice.session.attach.AttachException;
import io.sluice.session.attach.AttachMessage;
import io.sluice.session.attach.AttachedWorker;
import io.sluice.session.attach.FdRole;
import io.sluice.session.cut.CutThroughDescription;
import io.sluice.session.cut.CutThroughEnd;
import io.sluice.session.cut.CutThroughRole;
import io.sluice.session.msg.SessionStatus;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * An application attached to a stack: the attach connection, the FIFO segments the stack announced (mapped here as
 * they arrive) and the application's {@link AppWorker}s. Made by {@link #attach}; {@link #close()} detaches.
 *
 * <p>Thread-safety: workers may be added, and segments looked up, from any thread (both are synchronised: they
 * happen when a session starts, not per byte); each {@link AppWorker} is then used by one thread.
 */
public final class SessionApplication implements AutoCloseable {

    /** How long a session waits for the SEGMENT_ADD of the segment its FIFOs live in. */
    static final int SEGMENT_WAIT_MILLIS = 5_000;

    private final AttachClient client;
    private final String name;
    private final Map<Long, SharedMemory> segments = new HashMap<>();
    /**
     * Cut-through channel ends by {@link #endKey}, opened when their CHANNEL_ADD arrives; each belongs to one worker.
     * An application connected to its own listener holds both ends of one channel.
     */
    private final Map<Long, OpenEnd> channels = new HashMap<>();
    /** Channel ends the stack removed, for their worker to close (a worker's ends are used on its thread only). */
    private final Map<Long, OpenEnd> removedChannels = new HashMap<>();
    private final List<AppWorker> workers = new ArrayList<>();
    /** Bumped when a channel is removed, so workers look for theirs without taking the lock every poll. */
    private volatile int channelsRemoved;
    private boolean closed;

    /** A channel end and the worker it belongs to. */
    private record OpenEnd(CutThroughEnd end, int worker) {
    }

    private SessionApplication(AttachClient client, String name) {
        this.client = client;
        this.name = name;
    }

    /**
     * Connects to the stack's attach socket at {@code socket} and attaches with {@code request}.
     *
     * @throws AttachException when the stack refuses (bad secret, version, sizes), with its status and message
     * @throws IOException when no stack listens there or it does not answer
     */
    public static SessionApplication attach(Path socket, AttachMessage.Attach request)
            throws AttachException, IOException {
        AttachClient client = AttachClient.connect(socket);
        try {
            SessionApplication app = new SessionApplication(client, request.appName());
            AttachedWorker first = client.attach(request);
            app.workers.add(new AppWorker(app, first, client, false));
            return app;
        } catch (AttachException | IOException | RuntimeException e) {
            client.close();
            throw e;
        }
    }

    /** @return the first worker, made at attach (use it on one thread) */
    public synchronized AppWorker firstWorker() {
        return workers.getFirst();
    }

    /** Adds a worker (ADD_WORKER): a message queue of its own, for another thread. */
    public AppWorker addWorker() throws AttachException, IOException {
        return addWorker(false);
    }

    /**
     * Adds a worker several threads share, each holding its {@link AppWorker#lock()} (for blocking socket-style use,
     * where a connection is read on one thread, written on another and closed on a third).
     */
    public AppWorker addSharedWorker() throws AttachException, IOException {
        return addWorker(true);
    }

    private synchronized AppWorker addWorker(boolean shared) throws AttachException, IOException {
        requireOpen();
        AppWorker worker = new AppWorker(this, client.addWorker(), client, shared);
        workers.add(worker);
        return worker;
    }

    /** Gives a worker back (DEL_WORKER); its sessions must be closed first. */
    public synchronized void removeWorker(AppWorker worker) throws AttachException, IOException {
        requireOpen();
        if (workers.remove(worker)) {
            client.delWorker(worker.index());
        }
    }

    /** @return a number that changes whenever the stack removed a channel */
    int channelsRemoved() {
        return channelsRemoved;
    }

    /** @return the stack's number for this application */
    public int appIndex() {
        return client.appIndex();
    }

    /** @return the name it attached with */
    public String name() {
        return name;
    }

    /** @return false once the stack closed the attach connection (it stopped or died), as last seen */
    public synchronized boolean isConnected() {
        return !closed && client.isConnected();
    }

    /**
     * Reads what the stack sent on the attach connection without waiting (segment announcements, or its close) and
     * says whether the connection is still up. A stack that stopped or died closes it: then every session of every
     * worker fails with ABORTED, and the application may attach again once a stack is back.
     */
    public synchronized boolean checkConnection() {
        if (closed) {
            return false;
        }
        if (client.isConnected()) {
            try {
                absorb(client.awaitNotifications(0));
            } catch (AttachException | IOException e) {
                // A malformed notification or a broken socket: either way the stack is not there for us.
            }
        }
        if (!client.isConnected()) {
            for (AppWorker worker : workers) {
                worker.forget();
            }
            return false;
        }
        return true;
    }

    /** @return how many FIFO segments are mapped */
    public synchronized int segmentCount() {
        return segments.size();
    }

    /**
     * The memory of FIFO segment {@code id}, mapping it first if its SEGMENT_ADD has arrived (the stack sends it on
     * the attach socket before the first session whose FIFOs are in it, but the session's message travels on the
     * queue and may be seen first, so this waits for it).
     *
     * @throws SessionException INTERNAL if the segment is not announced within {@link #SEGMENT_WAIT_MILLIS}
     */
    synchronized MemorySegment segment(long id) throws IOException {
        return awaitAnnounced("FIFO segment " + id + " (SEGMENT_ADD)", () -> {
            SharedMemory mapping = segments.get(id);
            return mapping == null ? null : mapping.segment();
        });
    }

    /**
     * Cut-through channel {@code id}, opened when its CHANNEL_ADD arrived (waiting for it as {@link #segment} does).
     *
     * @param workerIndex the worker asking: the channel must be its own
     */
    synchronized CutThroughEnd channel(long id, CutThroughRole role, int workerIndex) throws IOException {
        OpenEnd open = awaitAnnounced("cut-through channel " + id + " (CHANNEL_ADD)",
                () -> channels.get(endKey(id, role)));
        if (open.worker() != workerIndex) {
            throw new SessionException(SessionStatus.NOT_OWNER, "application '" + name + "': cut-through channel "
                    + id + " (" + role + ") belongs to worker " + open.worker() + ", not " + workerIndex);
        }
        return open.end();
    }

    /**
     * What {@code lookup} finds once the stack's announcement of it has been read from the attach socket, waiting for
     * it up to {@link #SEGMENT_WAIT_MILLIS} (a session's message on the queue may be seen before the announcement).
     *
     * @throws SessionException INTERNAL naming {@code what} if it is not announced in time
     */
    private <T> T awaitAnnounced(String what, Supplier<T> lookup) throws IOException {
        requireOpen();
        long deadline = System.nanoTime() + SEGMENT_WAIT_MILLIS * 1_000_000L;
        while (true) {
            absorb(client.takeNotifications());
            T found = lookup.get();
            if (found != null) {
                return found;
            }
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0 || !client.isConnected()) {
                throw new SessionException(SessionStatus.INTERNAL, "application '" + name + "': the stack never"
                        + " announced " + what + ", or closed the attach connection");
            }
            try {
                absorb(client.awaitNotifications((int) Math.min(left, 100)));
            } catch (AttachException e) {
                throw new SessionException(SessionStatus.INTERNAL, "application '" + name + "': waiting for " + what
                        + ": " + e.getMessage());
            }
        }
    }

    /** Takes the channels of {@code workerIndex} the stack removed since the last call (the worker closes them). */
    synchronized List<CutThroughEnd> takeRemovedChannels(int workerIndex) {
        List<CutThroughEnd> out = new ArrayList<>();
        removedChannels.values().removeIf(open -> {
            if (open.worker() == workerIndex) {
                out.add(open.end());
                return true;
            }
            return false;
        });
        return out;
    }

    /** @return how many cut-through channel ends are open (two for a channel to this application itself) */
    public synchronized int channelCount() {
        return channels.size();
    }

    /** Maps announced segments, unmaps removed ones; closes every descriptor that came. */
    private void absorb(List<AttachClient.Notification> notifications) throws IOException {
        for (AttachClient.Notification notification : notifications) {
            try {
                switch (notification.message()) {
                    case AttachMessage.SegmentAdd add -> {
                        int at = add.fds().indexOf(FdRole.SEGMENT_MEMFD);
                        if (at < 0 || at >= notification.fds().size()) {
                            throw new SessionException(SessionStatus.INTERNAL, "SEGMENT_ADD of segment "
                                    + add.segment().id() + " came without its memfd");
                        }
                        SharedMemory old = segments.put(add.segment().id(), SharedMemory.map(
                                notification.fds().get(at), add.segment().size()));
                        if (old != null) {
                            old.close();
                        }
                    }
                    case AttachMessage.SegmentRemove remove -> {
                        SharedMemory gone = segments.remove(remove.segmentId());
                        if (gone != null) {
                            gone.close();
                        }
                    }
                    case AttachMessage.ChannelAdd add -> openChannel(add, notification.fds());
                    case AttachMessage.ChannelRemove remove -> {
                        for (CutThroughRole role : CutThroughRole.values()) {
                            long key = endKey(remove.channelId(), role);
                            OpenEnd gone = channels.get(key);
                            if (gone != null && gone.worker() == remove.workerIndex()) {
                                channels.remove(key);
                                removedChannels.put(key, gone);
                                channelsRemoved++;
                            }
                        }
                    }
                    default -> {
                        // Other notifications are not the sessions' business.
                    }
                }
            } catch (SyscallException e) {
                throw new IOException("application '" + name + "': mapping a FIFO segment: " + e.getMessage(), e);
            } finally {
                for (NativeFd fd : notification.fds()) {
                    closeQuietly(fd);
                }
            }
        }
    }

    /** The key of one end of a channel: its id and side (both ends are here when an application talks to itself). */
    private static long endKey(long channelId, CutThroughRole role) {
        return channelId * 2 + role.ordinal();
    }

    /** Opens the end of a channel the stack announced; the descriptors are closed by the caller (after mapping). */
    private void openChannel(AttachMessage.ChannelAdd add, List<NativeFd> fds) throws SyscallException, IOException {
        if (fds.size() != CutThroughDescription.FD_ROLES.size()) {
            throw new SessionException(SessionStatus.INTERNAL, "CHANNEL_ADD of channel " + add.description()
                    .channelId() + " came with " + fds.size() + " descriptors, not 3");
        }
        // The end owns the peer's eventfd: give it a copy, as the caller closes what came.
        EventFd peer = EventFd.adopt(fds.get(2).duplicate());
        try {
            CutThroughEnd end = CutThroughEnd.open(add.description(), add.role(), fds.get(0), fds.get(1), peer);
            long key = endKey(add.description().channelId(), add.role());
            OpenEnd old = channels.put(key, new OpenEnd(end, add.workerIndex()));
            if (old != null) {
                old.end().close();
            }
        } catch (SyscallException | RuntimeException e) {
            closeQuietly(peer);
            throw e;
        }
    }

    /** Detaches: the stack resets what is left of the sessions and frees everything. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (client.isConnected()) {
                client.detach();
            }
        } catch (IOException e) {
            // The stack is gone already: nothing to tell it.
        }
        client.close();
        for (SharedMemory mapping : segments.values()) {
            closeQuietly(mapping);
        }
        segments.clear();
        channels.values().forEach(open -> closeQuietly(open.end()));
        removedChannels.values().forEach(open -> closeQuietly(open.end()));
        channels.clear();
        removedChannels.clear();
        for (AppWorker worker : workers) {
            worker.forget();
        }
        workers.clear();
    }

    private void requireOpen() throws SessionException {
        if (closed) {
            throw new SessionException(SessionStatus.INVALID_HANDLE, "application '" + name + "' is detached");
        }
    }

    private static void closeQuietly(AutoCloseable resource) {
        try {
            resource.close();
        } catch (Exception e) {
            // Best effort: the descriptor or mapping is gone either way.
        }
    }

    @Override
    public String toString() {
        return "application '" + name + "' (" + appIndex() + ")";
    }
}
