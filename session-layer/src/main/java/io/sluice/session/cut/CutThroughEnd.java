package io.sluice.session.cut;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.sluice.core.sys.EventFd;
import io.sluice.core.sys.MemFd;
import io.sluice.core.sys.NativeFd;
import io.sluice.core.sys.SharedMemory;
import io.sluice.core.sys.SyscallException;
import io.sluice.session.fifo.ByteFifo;
import io.sluice.session.mq.Doorbell;
import io.sluice.session.mq.EventFdDoorbell;
import io.sluice.session.mq.MessageHandler;
import io.sluice.session.mq.MessageQueue;
import io.sluice.session.mq.Producers;
import io.sluice.session.mq.QueueLayout;
import io.sluice.session.segment.SegmentFiles;
import io.sluice.session.segment.SharedMemoryCorruptedException;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * An application worker's side of a cut-through channel: its own mapping of the channel and FIFO segments, the
 * queue it drains, the queue it posts to (ringing the peer worker's eventfd), and views of the sessions' FIFOs.
 *
 * <p><b>Event rules.</b> A writer enqueues into {@link #fifoToPeer}, then calls {@link #postRx}: an RX event is posted
 * only when the FIFO's has-event flag goes from 0 to 1, so one event covers any number of writes until the reader
 * clears the flag, which {@link #drain} does before handing the RX event over (bytes written after that raise a new
 * event). A writer that finds the FIFO full calls {@link #requestDequeueNotification} and waits only if there is
 * still no space; the reader, after each dequeue, calls {@link #notifyWriterIfWanted}, which posts one DEQUEUED event
 * per request, and none while one is still waiting in the writer's queue. Posting rings the peer's eventfd only when
 * the peer announced a sleep on that queue. With both flags, a queue holds at most two undrained events per session,
 * which is what it is sized for ({@link ChannelLayout}).
 *
 * <p><b>Sleeping.</b> The worker sleeps on its own worker eventfd, the one its stack queue also rings: it calls
 * {@link #prepareToSleep()} (and the same on its other queues), waits only if that returned true, and calls
 * {@link #cancelSleep()} when it wakes.
 *
 * <p><b>Defence.</b> The description was checked when made; {@link #open} checks the memfds' sizes and the header
 * against it, and the queues and FIFOs check their own headers and every position they read. An event naming an
 * unknown type or a slot outside the channel is counted ({@link #badEvents()}) and skipped.
 *
 * <p>One thread uses an end (the worker's). After a FIFO's first use, no method allocates on the Java heap.
 */
public final class CutThroughEnd implements AutoCloseable {

    private final CutThroughDescription description;
    private final CutThroughRole role;
    private final SharedMemory channelMapping;
    private final SharedMemory fifoMapping;
    private final MessageQueue incoming;
    private final MessageQueue outgoing;
    private final EventFdDoorbell peerDoorbell;
    private final ByteFifo[] toPeer;
    private final ByteFifo[] fromPeer;
    private final MessageHandler onMessage = this::onMessage;
    /** The handler of the drain in progress. */
    private CutThroughHandler handler;
    private long badEvents;
    private boolean closed;

    private CutThroughEnd(CutThroughDescription description, CutThroughRole role, SharedMemory channelMapping,
            SharedMemory fifoMapping, EventFd peerEventFd) {
        this.description = description;
        this.role = role;
        this.channelMapping = channelMapping;
        this.fifoMapping = fifoMapping;
        MemorySegment segment = channelMapping.segment();
        ChannelLayout.checkHeader(segment, description);
        boolean connector = role == CutThroughRole.CONNECTOR;
        this.incoming = connector ? attachQueue(segment, description.toConnectorOffset(), "toConnector", Doorbell.NONE)
                : attachQueue(segment, description.toAccepterOffset(), "toAccepter", Doorbell.NONE);
        // The outgoing queue's view rings the peer's eventfd: the end owns it from here on.
        this.peerDoorbell = new EventFdDoorbell(peerEventFd);
        this.outgoing = connector ? attachQueue(segment, description.toAccepterOffset(), "toAccepter", peerDoorbell)
                : attachQueue(segment, description.toConnectorOffset(), "toConnector", peerDoorbell);
        this.toPeer = new ByteFifo[description.sessionSlots()];
        this.fromPeer = new ByteFifo[description.sessionSlots()];
    }

    /**
     * Opens this application's end: maps both memfds (the descriptors may be closed afterwards; the mappings stay),
     * checks them and the header against the description, and attaches the queues.
     *
     * @param role          which side this application is on
     * @param peerEventFd   the peer worker's eventfd; owned by the end once it is open (closed by {@link #close}),
     *                      still the caller's if this throws
     * @throws SharedMemoryCorruptedException if a memfd is smaller than described or the header disagrees
     */
    public static CutThroughEnd open(CutThroughDescription description, CutThroughRole role, NativeFd channelMemfd,
            NativeFd fifoMemfd, EventFd peerEventFd) throws SyscallException {
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(peerEventFd, "peerEventFd");
        String where = "cut-through channel " + description.channelId() + " (" + role + "): ";
        checkSize(where + "channel segment " + description.channelSegmentId(), channelMemfd,
                description.channelSegmentSize());
        checkSize(where + "FIFO segment " + description.fifoSegmentId(), fifoMemfd, description.fifoSegmentSize());
        SharedMemory channel = null;
        SharedMemory fifos = null;
        try {
            channel = SharedMemory.map(channelMemfd, description.channelSegmentSize());
            fifos = SharedMemory.map(fifoMemfd, description.fifoSegmentSize());
            return new CutThroughEnd(description, role, channel, fifos, peerEventFd);
        } catch (SyscallException | RuntimeException e) {
            SegmentFiles.closeQuietly(fifos);
            SegmentFiles.closeQuietly(channel);
            throw e;
        }
    }

    private static void checkSize(String what, NativeFd memfd, long described) throws SyscallException {
        long actual = MemFd.size(memfd);
        if (actual < described) {
            throw new SharedMemoryCorruptedException(what + " is described as " + described
                    + " bytes but its memfd has " + actual);
        }
    }

    private MessageQueue attachQueue(MemorySegment segment, int offset, String name, Doorbell doorbell) {
        String where = "cut-through channel " + description.channelId() + " queue " + name + ": ";
        MessageQueue queue = MessageQueue.attach(
                segment.asSlice(offset, QueueLayout.footprint(description.queueSlotCount(),
                        description.queueSlotSize())),
                doorbell);
        if (queue.producers() != Producers.SINGLE || queue.slotCount() != description.queueSlotCount()) {
            throw new SharedMemoryCorruptedException(where + queue.slotCount() + " slots for " + queue.producers()
                    + " producers, described as " + description.queueSlotCount() + " single-producer slots");
        }
        return queue;
    }

    /** The channel as the stack described it. */
    public CutThroughDescription description() {
        return description;
    }

    /** This end's side. */
    public CutThroughRole role() {
        return role;
    }

    /** The FIFO this end writes for session {@code slot}: the pair's tx FIFO for the connector, rx for the accepter. */
    public ByteFifo fifoToPeer(int slot) {
        return cachedFifo(toPeer, slot, role == CutThroughRole.CONNECTOR);
    }

    /** The FIFO this end reads for session {@code slot}. */
    public ByteFifo fifoFromPeer(int slot) {
        return cachedFifo(fromPeer, slot, role == CutThroughRole.ACCEPTER);
    }

    private ByteFifo cachedFifo(ByteFifo[] cache, int slot, boolean toAccepter) {
        ByteFifo fifo = cache[Objects.checkIndex(slot, cache.length)];
        if (fifo == null) {
            fifo = attachFifo(slot, toAccepter);
            cache[slot] = fifo;
        }
        return fifo;
    }

    /** A view of pair {@code slot}'s tx FIFO (connector to accepter) or rx FIFO, checked against the description. */
    private ByteFifo attachFifo(int slot, boolean toAccepter) {
        long offset = toAccepter ? description.toAccepterFifoOffset(slot) : description.toConnectorFifoOffset(slot);
        int capacity = toAccepter ? description.toAccepterFifoBytes() : description.toConnectorFifoBytes();
        ByteFifo fifo = ByteFifo.attach(fifoMapping.segment().asSlice(offset));
        if (fifo.capacity() != capacity) {
            throw new SharedMemoryCorruptedException("cut-through channel " + description.channelId() + " slot "
                    + slot + ": FIFO capacity " + fifo.capacity() + ", described as " + capacity);
        }
        return fifo;
    }

    /**
     * Writer, after enqueueing into {@link #fifoToPeer}: posts an RX event unless one is already pending.
     *
     * @return whether an event was posted
     */
    public boolean postRx(int slot) {
        if (!fifoToPeer(slot).setEvent()) {
            return false;
        }
        post(CutThroughEvent.RX, slot);
        return true;
    }

    /**
     * Reader: tells the writer of session {@code slot} that it dequeued (there is space in the FIFO again), unless
     * such an event is already waiting in the writer's queue: that one will make it look again.
     *
     * @return whether an event was posted
     */
    public boolean postDequeued(int slot) {
        if (!ChannelLayout.markDequeuedPending(fifoFromPeer(slot))) {
            return false;
        }
        post(CutThroughEvent.DEQUEUED, slot);
        return true;
    }

    /**
     * Writer, on finding {@link #fifoToPeer} full: asks the reader for a DEQUEUED event after its next dequeue, and
     * looks again.
     *
     * @return the free space now; wait for the event only if it is 0
     */
    public int requestDequeueNotification(int slot) {
        ByteFifo fifo = fifoToPeer(slot);
        // ALWAYS rather than IF_FULL: the reader decides after its dequeue, and a "was full" judged from a count it
        // read before our request could miss us; any dequeue after the request frees space, which is what we wait for.
        fifo.requestDequeueNotification(ByteFifo.NOTIFY_ALWAYS);
        return fifo.freeSpace();
    }

    /**
     * Reader, after a dequeue from {@link #fifoFromPeer}: posts DEQUEUED if the writer asked for it.
     *
     * @return whether it was posted
     */
    public boolean notifyWriterIfWanted(int slot) {
        ByteFifo fifo = fifoFromPeer(slot);
        return fifo.needsDequeueNotification(fifo.readableBytes()) && postDequeued(slot);
    }

    private void post(int type, int slot) {
        long position = outgoing.tryClaim();
        if (position == MessageQueue.FULL) {
            // The flags keep the queue from filling (ChannelLayout.queueSlotCount) unless the peer clears them in
            // shared memory without draining its events.
            throw new IllegalStateException("cut-through channel " + description.channelId() + ": the queue to the "
                    + role.peer() + " is full (" + outgoing.slotCount() + " slots): the peer does not follow the"
                    + " event rules; " + CutThroughEvent.name(type) + " for slot " + slot + " not posted");
        }
        MemorySegment memory = outgoing.memory();
        long payload = outgoing.payloadOffset(position);
        memory.set(JAVA_INT, payload + CutThroughEvent.TYPE_OFFSET, type);
        memory.set(JAVA_INT, payload + CutThroughEvent.SESSION_SLOT_OFFSET, slot);
        outgoing.commit(position);
    }

    /**
     * Hands the events waiting on this end's queue to {@code handler}, at most
     * {@link ChannelLayout#EVENTS_PER_DRAIN} (the queue is sized for that), clearing first the flag that kept each
     * event single: the has-event flag of an RX event's FIFO, the pending mark of a DEQUEUED event's.
     *
     * @return the number of messages taken from the queue, bad ones included
     */
    public int drain(CutThroughHandler handler) {
        this.handler = handler;
        try {
            return incoming.drain(onMessage, ChannelLayout.EVENTS_PER_DRAIN);
        } finally {
            this.handler = null;
        }
    }

    private void onMessage(MemorySegment memory, long offset, int length) {
        int type = memory.get(JAVA_INT, offset + CutThroughEvent.TYPE_OFFSET);
        int slot = memory.get(JAVA_INT, offset + CutThroughEvent.SESSION_SLOT_OFFSET);
        if (!CutThroughEvent.isKnown(type) || slot < 0 || slot >= fromPeer.length) {
            badEvents++;
            return;
        }
        if (type == CutThroughEvent.RX) {
            fifoFromPeer(slot).clearEvent();
        } else {
            ChannelLayout.clearDequeuedPending(fifoToPeer(slot));
        }
        handler.onEvent(type, slot);
    }

    /** Events skipped because their type or slot was invalid: a misbehaving peer. */
    public long badEvents() {
        return badEvents;
    }

    /** Whether no event waits on this end's queue. */
    public boolean isEmpty() {
        return incoming.isEmpty();
    }

    /**
     * Announces that the worker is about to sleep on its eventfd, so the peer rings it after its next post.
     *
     * @return true if the worker may sleep; false if an event arrived meanwhile (nothing to cancel)
     */
    public boolean prepareToSleep() {
        return incoming.prepareToSleep();
    }

    /** Withdraws the announcement after waking (or after deciding not to sleep because of another queue). */
    public void cancelSleep() {
        incoming.cancelSleep();
    }

    /** Unmaps both segments and closes the peer's eventfd; FIFO views then fail instead of touching memory. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        SegmentFiles.closeQuietly(channelMapping);
        SegmentFiles.closeQuietly(fifoMapping);
        SegmentFiles.closeQuietly(peerDoorbell);
    }

    @Override
    public String toString() {
        return "cut-through channel " + description.channelId() + " end (" + role + ")";
    }
}
