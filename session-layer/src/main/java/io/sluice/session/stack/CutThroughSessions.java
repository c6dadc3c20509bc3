package io.sluice.session.stack;

import io.sluice.core.sys.SyscallException;
import io.sluice.session.attach.AttachException;
import io.sluice.session.attach.AttachMessage;
import io.sluice.session.attach.MemfdAttachHandler;
import io.sluice.session.cut.ChannelEnd;
import io.sluice.session.cut.CutThroughChannel;
import io.sluice.session.cut.CutThroughDescription;
import io.sluice.session.cut.CutThroughRole;
import io.sluice.session.msg.SessionHandle;
import io.sluice.session.msg.SessionMessage;
import io.sluice.session.msg.SessionStatus;
import io.sluice.session.segment.FifoPair;
import io.sluice.session.segment.SegmentException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The stack's part in cut-through sessions: a CONNECT with local scope to a local listener that allows local scope
 * gets a FIFO pair in a {@link CutThroughChannel} between the connecting worker and the listener's worker (made on
 * first use and announced to both applications with CHANNEL_ADD), and CONNECTED / ACCEPTED that name the channel and
 * slot. From then on the bytes and their IO events go application to application; the stack sees only control:
 * DISCONNECT (the peer hears DISCONNECTED), ABORT (the peer hears RESET), SHUTDOWN, and the death of either
 * application (the other hears RESET).
 *
 * <p>A cut-through session has one handle per side (kind CUT_THROUGH, entry index twice the table index, plus one
 * for the accepter), so each application names its own side. A side that closes gets CLEANUP at once: it may forget
 * the session; the slot stays taken (the peer may still be reading what it wrote) until the other side closes too.
 * A channel lives while both its applications do, for the next session between the two workers; when one goes and
 * the channel's last session ends, the channel is closed and the other application gets CHANNEL_REMOVE.
 *
 * <p>Control path: every call holds this object's lock (cut-through set-up and close are rare next to the bytes,
 * which never come here). Calls run on the stack worker that drained the request, and post through that worker.
 */
final class CutThroughSessions {

    /** Session slots of each channel. */
    static final int SLOTS_PER_CHANNEL = 256;

    private final MemfdAttachHandler memfd;
    /** Channel and segment ids: 32-bit in session messages. */
    private final AtomicLong nextId = new AtomicLong(1);
    private final Map<Key, Channel> channels = new HashMap<>();
    private final List<Entry> entries = new ArrayList<>();
    private final List<Integer> free = new ArrayList<>();

    /** Who a channel joins: the connecting application's worker and the accepting one's. */
    private record Key(StackApplication connector, int connectorWorker, StackApplication accepter,
            int accepterWorker) {
    }

    /** A channel and how many sessions hold a slot in it. */
    private static final class Channel {
        final Key key;
        final CutThroughChannel channel;
        int sessions;

        Channel(Key key, CutThroughChannel channel) {
            this.key = key;
            this.channel = channel;
        }
    }

    /** One cut-through session: both sides. Side 0 is the connector, side 1 the accepter. */
    private static final class Entry {
        final int index;
        int generation;
        Channel channel;
        int slot;
        final long[] handles = new long[2];
        final StackApplication[] apps = new StackApplication[2];
        final int[] appWorkers = new int[2];
        final boolean[] closed = new boolean[2];
        int address;
        int port;
        int connectorPort;
        /**
         * Accepted by a hand-off listener and not yet claimed: no channel or slot yet (they depend on the worker
         * that claims it), and the connector has no answer yet.
         */
        boolean pending;
        int connectContext;
        long listenerHandle;

        Entry(int index) {
            this.index = index;
        }

        boolean live() {
            return channel != null || pending;
        }
    }

    CutThroughSessions(MemfdAttachHandler memfd) {
        this.memfd = memfd;
    }

    /**
     * Serves a CONNECT through shared memory if a listener of this stack takes it with local scope.
     *
     * @return false to go through TCP (no such listener, or it wants global scope only)
     */
    synchronized boolean connect(SessionWorker worker, StackApplication app, AppWorkerPort port, int address,
            int remotePort, int context, ListenerTable.Entry listener) {
        if (listener == null || listener.app == null || !listener.app.scopeLocal
                || !listener.app.namespace.equals(app.namespace)) {
            return false; // no local listener for this application: through TCP, if its scope allows
        }
        StackApplication accepter = listener.app;
        AppWorkerPort accepterPort = accepter.port(listener.appWorker);
        if (accepterPort == null || accepter.isDetaching() || app.isDetaching()) {
            worker.reply(port, SessionMessage.CONNECTED, context, SessionHandle.NONE, SessionStatus.REFUSED, 0);
            return true;
        }
        if (listener.handOff) {
            announcePending(worker, app, port, address, remotePort, context, listener, accepterPort);
            return true;
        }
        Channel channel;
        FifoPair pair;
        try {
            channel = channel(new Key(app, port.appWorker, accepter, listener.appWorker));
            pair = channel.channel.allocate();
        } catch (SegmentException e) {
            worker.reply(port, SessionMessage.CONNECTED, context, SessionHandle.NONE, SessionStatus.NO_FIFO_SPACE, 0);
            return true;
        } catch (SyscallException | AttachException | RuntimeException e) {
            worker.layer().report("cut-through connect from " + app + " to " + accepter, e);
            worker.reply(port, SessionMessage.CONNECTED, context, SessionHandle.NONE, SessionStatus.INTERNAL, 0);
            return true;
        }
        Entry e = allocate(worker.index());
        e.channel = channel;
        e.slot = pair.slot();
        e.apps[0] = app;
        e.apps[1] = accepter;
        e.appWorkers[0] = port.appWorker;
        e.appWorkers[1] = listener.appWorker;
        e.address = address;
        e.port = remotePort;
        e.connectorPort = 0x8000 | (e.index & 0x7FFF); // a name for the connector's side in show session
        channel.sessions++;
        app.sessions.incrementAndGet();
        accepter.sessions.incrementAndGet();

        // The accepter first: its ACCEPTED is on its queue before the connector can write (and post RX) to it.
        MemorySegment m = worker.scratch();
        describeAccepterSide(m, e, SessionMessage.ACCEPTED, listener.handle, SessionMessage.FLAG_CUT_THROUGH);
        worker.send(accepterPort);
        describeConnectorSide(m, e, context);
        worker.send(port);
        return true;
    }

    /** The accepter's ACCEPTED or MOVED in {@code m}: its handle, the listener's, addresses, FIFOs if placed. */
    private static void describeAccepterSide(MemorySegment m, Entry e, int type, long listenerHandle, int flags) {
        SessionMessage.begin(m, 0, type);
        SessionMessage.setHandle(m, 0, e.handles[1]);
        SessionMessage.setOtherHandle(m, 0, listenerHandle);
        SessionMessage.setAddress(m, 0, e.address, e.connectorPort);
        SessionMessage.setLocal(m, 0, e.address, e.port);
        SessionMessage.setFlags(m, 0, flags);
        if (e.channel != null) {
            SessionMessage.setFifos(m, 0, e.channel.channel.id(), e.slot, 0);
        }
        SessionMessage.setAppWorker(m, 0, e.appWorkers[1]);
    }

    /** The connector's CONNECTED (answering {@code context}) in {@code m}, for a placed session. */
    private static void describeConnectorSide(MemorySegment m, Entry e, int context) {
        SessionMessage.begin(m, 0, SessionMessage.CONNECTED);
        SessionMessage.setContext(m, 0, context);
        SessionMessage.setHandle(m, 0, e.handles[0]);
        SessionMessage.setAddress(m, 0, e.address, e.port);
        SessionMessage.setLocal(m, 0, e.address, e.connectorPort);
        SessionMessage.setFlags(m, 0, SessionMessage.FLAG_CUT_THROUGH);
        SessionMessage.setFifos(m, 0, e.channel.channel.id(), e.slot, 0);
        SessionMessage.setAppWorker(m, 0, e.appWorkers[0]);
    }

    /**
     * A hand-off listener's connection: the accepter hears ACCEPTED (flag HAND_OFF, no FIFOs) and the connector waits
     * until a worker of the accepter claims it ({@link #place}) or it is refused.
     */
    private void announcePending(SessionWorker worker, StackApplication app, AppWorkerPort port, int address,
            int remotePort, int context, ListenerTable.Entry listener, AppWorkerPort accepterPort) {
        Entry e = allocate(worker.index());
        e.pending = true;
        e.apps[0] = app;
        e.apps[1] = listener.app;
        e.appWorkers[0] = port.appWorker;
        e.appWorkers[1] = listener.appWorker;
        e.address = address;
        e.port = remotePort;
        e.connectorPort = 0x8000 | (e.index & 0x7FFF);
        e.connectContext = context;
        e.listenerHandle = listener.handle;
        app.sessions.incrementAndGet();
        listener.app.sessions.incrementAndGet();
        describeAccepterSide(worker.scratch(), e, SessionMessage.ACCEPTED, listener.handle,
                SessionMessage.FLAG_CUT_THROUGH | SessionMessage.FLAG_HAND_OFF);
        worker.send(accepterPort);
    }

    /**
     * MOVE of a pending accepter side: the channel between the connector's worker and the claiming one (made on first
     * use), a slot in it, MOVED to the claimer and then CONNECTED to the connector.
     */
    private void place(SessionWorker worker, Entry e, AppWorkerPort claimer, int context) {
        StackApplication connector = e.apps[0];
        AppWorkerPort connectorPort = connector.port(e.appWorkers[0]);
        Channel channel;
        FifoPair pair;
        try {
            channel = channel(new Key(connector, e.appWorkers[0], e.apps[1], claimer.appWorker));
            pair = channel.channel.allocate();
        } catch (SegmentException ex) {
            worker.error(claimer, context, e.handles[1], SessionMessage.MOVE, SessionStatus.NO_FIFO_SPACE,
                    SessionQueueNode.CONNECT_FAILED);
            refusePending(worker, e, SessionStatus.NO_FIFO_SPACE);
            return;
        } catch (SyscallException | AttachException | RuntimeException ex) {
            worker.layer().report("cut-through hand-off from " + connector + " to " + e.apps[1], ex);
            worker.error(claimer, context, e.handles[1], SessionMessage.MOVE, SessionStatus.INTERNAL,
                    SessionQueueNode.INTERNAL);
            refusePending(worker, e, SessionStatus.INTERNAL);
            return;
        }
        e.pending = false;
        e.channel = channel;
        e.slot = pair.slot();
        e.appWorkers[1] = claimer.appWorker;
        channel.sessions++;

        MemorySegment m = worker.scratch();
        describeAccepterSide(m, e, SessionMessage.MOVED, e.listenerHandle, SessionMessage.FLAG_CUT_THROUGH);
        SessionMessage.setContext(m, 0, context);
        SessionMessage.setStatus(m, 0, SessionStatus.OK);
        worker.send(claimer);
        if (connectorPort != null && !connector.isDetaching()) {
            describeConnectorSide(m, e, e.connectContext);
            worker.send(connectorPort);
        }
    }

    /** A pending connection that will not be placed: the connector's CONNECT fails with {@code status}. */
    private void refusePending(SessionWorker worker, Entry e, SessionStatus status) {
        StackApplication connector = e.apps[0];
        if (!connector.isDetaching()) {
            worker.reply(connector.port(e.appWorkers[0]), SessionMessage.CONNECTED, e.connectContext,
                    SessionHandle.NONE, status, 0);
        }
        connector.sessions.decrementAndGet();
        e.apps[1].sessions.decrementAndGet();
        e.pending = false;
        e.apps[0] = null;
        e.apps[1] = null;
        free.add(e.index);
    }

    /** The channel between two workers, made and announced to both applications on first use. */
    private Channel channel(Key key) throws SyscallException, AttachException {
        Channel existing = channels.get(key);
        if (existing != null) {
            return existing;
        }
        long id = nextId.getAndIncrement();
        CutThroughChannel made = CutThroughChannel.create(id, nextId.getAndIncrement(), nextId.getAndIncrement(),
                new ChannelEnd(key.connector.index, key.connector.name, key.connectorWorker),
                new ChannelEnd(key.accepter.index, key.accepter.name, key.accepterWorker), SLOTS_PER_CHANNEL,
                key.connector.fifos.txFifoBytes(), key.connector.fifos.rxFifoBytes());
        try {
            // Each side gets the other worker's eventfd: posting to the peer rings it when the peer sleeps.
            memfd.notifyApplication(key.connector.index, new AttachMessage.ChannelAdd(key.connectorWorker,
                    CutThroughRole.CONNECTOR, made.description(), CutThroughDescription.FD_ROLES),
                    List.of(made.channelMemfd(), made.fifoMemfd(), memfd.workerDoorbell(key.accepter.index,
                            key.accepterWorker).eventFd().fd()));
            memfd.notifyApplication(key.accepter.index, new AttachMessage.ChannelAdd(key.accepterWorker,
                    CutThroughRole.ACCEPTER, made.description(), CutThroughDescription.FD_ROLES),
                    List.of(made.channelMemfd(), made.fifoMemfd(), memfd.workerDoorbell(key.connector.index,
                            key.connectorWorker).eventFd().fd()));
        } catch (AttachException | RuntimeException e) {
            made.close();
            throw e;
        }
        Channel channel = new Channel(key, made);
        channels.put(key, channel);
        return channel;
    }

    private Entry allocate(int stackWorker) {
        Entry e;
        if (free.isEmpty()) {
            e = new Entry(entries.size());
            entries.add(e);
        } else {
            e = entries.get(free.removeLast());
        }
        e.generation = (e.generation + 1) & SessionHandle.GENERATION_MASK;
        e.handles[0] = SessionHandle.of(SessionHandle.KIND_CUT_THROUGH, stackWorker, e.generation, 2 * e.index);
        e.handles[1] = SessionHandle.of(SessionHandle.KIND_CUT_THROUGH, stackWorker, e.generation, 2 * e.index + 1);
        e.closed[0] = false;
        e.closed[1] = false;
        return e;
    }

    /**
     * A request about a cut-through handle (DISCONNECT, ABORT, SHUTDOWN, SET_OPTION, or an IO event sent here by
     * mistake) from {@code app}.
     */
    synchronized void request(SessionWorker worker, StackApplication app, AppWorkerPort port, int type, long handle,
            int context, int value) {
        int index = SessionHandle.index(handle);
        Entry e = index >= 0 && index / 2 < entries.size() ? entries.get(index / 2) : null;
        int side = index & 1;
        if (e == null || !e.live() || e.handles[side] != handle) {
            worker.error(port, context, handle, type, SessionStatus.INVALID_HANDLE, SessionQueueNode.INVALID_HANDLE);
            return;
        }
        if (e.apps[side] != app) {
            worker.error(port, context, handle, type, SessionStatus.NOT_OWNER, SessionQueueNode.NOT_OWNER);
            return;
        }
        if (e.closed[side]) {
            worker.error(port, context, handle, type, SessionStatus.BAD_STATE, SessionQueueNode.BAD_STATE);
            return;
        }
        if (e.pending) {
            if (side == 0) { // the connector has no handle until the connection is placed
                worker.error(port, context, handle, type, SessionStatus.BAD_STATE, SessionQueueNode.BAD_STATE);
                return;
            }
            switch (type) {
                case SessionMessage.MOVE -> place(worker, e, port, context);
                case SessionMessage.DISCONNECT, SessionMessage.ABORT -> {
                    // Rejected before anyone claimed it: the connector is refused, the rejecter cleaned up.
                    worker.reply(port, SessionMessage.CLEANUP, context, handle, SessionStatus.OK, 0);
                    refusePending(worker, e, SessionStatus.REFUSED);
                }
                default -> worker.error(port, context, handle, type, SessionStatus.BAD_STATE,
                        SessionQueueNode.BAD_STATE);
            }
            return;
        }
        switch (type) {
            // Only a hand-off listener's connection moves, and only before it is placed.
            case SessionMessage.MOVE -> worker.error(port, context, handle, type, SessionStatus.BAD_STATE,
                    SessionQueueNode.BAD_STATE);
            case SessionMessage.DISCONNECT, SessionMessage.ABORT -> {
                tellPeer(worker, e, 1 - side, type == SessionMessage.ABORT ? SessionMessage.RESET
                        : SessionMessage.DISCONNECTED, SessionStatus.RESET);
                closeSide(worker, e, side, context);
            }
            case SessionMessage.SHUTDOWN -> {
                if (value == 0 || (value & ~(SessionMessage.SHUT_READ | SessionMessage.SHUT_WRITE)) != 0) {
                    worker.error(port, context, handle, type, SessionStatus.BAD_REQUEST, SessionQueueNode.BAD_REQUEST);
                    return;
                }
                if ((value & SessionMessage.SHUT_WRITE) != 0) {
                    tellPeer(worker, e, 1 - side, SessionMessage.DISCONNECTED, SessionStatus.OK);
                }
                worker.reply(port, SessionMessage.SHUTDOWN_REPLY, context, handle, SessionStatus.OK, 0);
            }
            // Nagle and keepalive have no meaning between two applications' FIFOs: accepted, nothing to do.
            case SessionMessage.SET_OPTION -> worker.reply(port, SessionMessage.OPTION_REPLY, context, handle,
                    SessionStatus.OK, value);
            // No TCP between the two: the reply says so (value -1).
            case SessionMessage.GET_INFO -> worker.reply(port, SessionMessage.INFO_REPLY, context, handle,
                    SessionStatus.OK, -1);
            default -> worker.error(port, context, handle, type, SessionStatus.BAD_REQUEST,
                    SessionQueueNode.BAD_REQUEST); // TX/DEQUEUED: cut-through IO never goes to the stack
        }
    }

    /** Posts a notification to side {@code side} unless it has closed or its application is gone. */
    private static void tellPeer(SessionWorker worker, Entry e, int side, int type, SessionStatus status) {
        if (e.closed[side] || e.apps[side].isDetaching()) {
            return;
        }
        worker.reply(e.apps[side].port(e.appWorkers[side]), type, 0, e.handles[side], status, 0);
    }

    /** Side {@code side} is done: CLEANUP to it (if it is still there); the slot goes once both sides are done. */
    private void closeSide(SessionWorker worker, Entry e, int side, int context) {
        e.closed[side] = true;
        e.apps[side].sessions.decrementAndGet();
        if (!e.apps[side].isDetaching()) {
            worker.reply(e.apps[side].port(e.appWorkers[side]), SessionMessage.CLEANUP, context, e.handles[side],
                    SessionStatus.OK, 0);
        }
        if (e.closed[0] && e.closed[1]) {
            Channel channel = e.channel;
            channel.channel.free(e.slot);
            channel.sessions--;
            e.channel = null;
            e.apps[0] = null;
            e.apps[1] = null;
            free.add(e.index);
            if (channel.sessions == 0 && (channel.key.connector.isDetaching() || channel.key.accepter.isDetaching())) {
                closeChannel(channel);
            }
        }
    }

    /** Closes a channel; the side whose application is still there gets CHANNEL_REMOVE. */
    private void closeChannel(Channel channel) {
        channels.remove(channel.key);
        long id = channel.channel.id();
        try {
            if (!channel.key.connector.isDetaching()) {
                memfd.notifyApplication(channel.key.connector.index, new AttachMessage.ChannelRemove(id,
                        channel.key.connectorWorker), List.of());
            }
            if (!channel.key.accepter.isDetaching()) {
                memfd.notifyApplication(channel.key.accepter.index, new AttachMessage.ChannelRemove(id,
                        channel.key.accepterWorker), List.of());
            }
        } catch (AttachException e) {
            // No attach server: nobody to tell; the application's end is closed when it detaches.
        }
        // The applications' mappings stay valid until they unmap: closing here frees only the stack's.
        channel.channel.close();
    }

    /**
     * {@code app} is going away (on a stack worker's thread): each of its sides is closed without CLEANUP and the peer
     * hears RESET; its channels close once their last session ends.
     */
    synchronized void detach(SessionWorker worker, StackApplication app) {
        for (Entry e : entries) {
            if (e.pending && (e.apps[0] == app || e.apps[1] == app)) {
                refusePending(worker, e, SessionStatus.REFUSED); // told only if the connector is the one staying
                continue;
            }
            if (!e.live()) {
                continue;
            }
            for (int side = 0; side < 2 && e.live(); side++) {
                if (e.apps[side] == app && !e.closed[side]) {
                    tellPeer(worker, e, 1 - side, SessionMessage.RESET, SessionStatus.RESET);
                    closeSide(worker, e, side, 0);
                }
            }
        }
        for (Channel channel : List.copyOf(channels.values())) {
            if ((channel.key.connector == app || channel.key.accepter == app) && channel.sessions == 0) {
                closeChannel(channel);
            }
        }
    }

    /** Both sides of every cut-through session, for {@code show session} (control path). */
    synchronized List<SessionInfo> describe() {
        List<SessionInfo> out = new ArrayList<>();
        for (Entry e : entries) {
            if (!e.live() || e.pending) {
                continue;
            }
            for (int side = 0; side < 2; side++) {
                if (e.closed[side]) {
                    continue;
                }
                CutThroughChannel channel = e.channel.channel;
                boolean accepter = side == 1; // the accepter reads what flows to it and writes towards the connector
                int reads = accepter ? channel.description().toAccepterFifoBytes()
                        : channel.description().toConnectorFifoBytes();
                int writes = accepter ? channel.description().toConnectorFifoBytes()
                        : channel.description().toAccepterFifoBytes();
                long rxFill = channel.fill(e.slot, accepter);
                long txFill = channel.fill(e.slot, !accepter);
                int localPort = side == 0 ? e.connectorPort : e.port;
                int remotePort = side == 0 ? e.port : e.connectorPort;
                out.add(new SessionInfo(e.handles[side], e.apps[side].index, e.apps[side].name, e.appWorkers[side],
                        SessionHandle.worker(e.handles[side]), "CUT_THROUGH", e.address, localPort, e.address,
                        remotePort, rxFill, txFill, reads, writes, channel.id(), "-"));
            }
        }
        return out;
    }

    /** @return how many channels are open */
    synchronized int channelCount() {
        return channels.size();
    }

    /** Closes every channel (the stack is stopping). */
    synchronized void closeAll() {
        for (Channel channel : channels.values()) {
            channel.channel.close();
        }
        channels.clear();
    }

    @Override
    public synchronized String toString() {
        return "cut-through: " + channels.size() + " channels, " + (entries.size() - free.size()) + " sessions";
    }
}
