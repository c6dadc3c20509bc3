package io.sluice.session.cut;

import io.sluice.core.sys.NativeFd;
import io.sluice.core.sys.SharedMemory;
import io.sluice.core.sys.SyscallException;
import io.sluice.session.mq.Doorbell;
import io.sluice.session.mq.MessageQueue;
import io.sluice.session.mq.Producers;
import io.sluice.session.segment.FifoPair;
import io.sluice.session.segment.FifoSegment;
import io.sluice.session.segment.SegmentException;
import io.sluice.session.segment.SegmentFiles;
import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The stack's side of a cut-through channel between one worker of a connecting application and one worker of the
 * accepting application: it makes the channel segment (header and the two queues, see {@link ChannelLayout}) and
 * the FIFO segment, hands out and takes back the sessions' FIFO pairs, and closes it all. It is never on the data
 * path: the two applications post to each other's queues and ring each other's eventfds directly.
 *
 * <p><b>Why a channel per worker pair.</b> A segment is mapped only by the processes that need it. The connector
 * must not map the accepter's own queue segment (it holds the accepter's other sessions' events), so the two
 * share only this channel: its two queues and its FIFOs, nothing else of either application.
 *
 * <p><b>FIFO pairs.</b> A pair's tx FIFO carries connector to accepter bytes, its rx FIFO accepter to connector
 * bytes; the pair's slot number is what the applications use to find them ({@link CutThroughEnd#fifoToPeer}).
 * One FIFO segment per channel: when its slots are taken, {@link #allocate} refuses with a
 * {@link SegmentException}.
 *
 * <p>{@link #allocate} and {@link #free} are thread-safe and allocate nothing.
 */
public final class CutThroughChannel implements AutoCloseable {

    /** Most sessions one channel may carry. */
    public static final int MAX_SESSION_SLOTS = 4096;

    private final ChannelEnd connector;
    private final ChannelEnd accepter;
    private final NativeFd channelMemfd;
    private final SharedMemory channelMapping;
    private final FifoSegment fifos;
    private final CutThroughDescription description;
    /** The pair handed out at each slot, null while free. */
    private final AtomicReferenceArray<FifoPair> handedOut;
    private final AtomicBoolean closed = new AtomicBoolean();

    private CutThroughChannel(ChannelEnd connector, ChannelEnd accepter, NativeFd channelMemfd,
            SharedMemory channelMapping, FifoSegment fifos, CutThroughDescription description) {
        this.connector = connector;
        this.accepter = accepter;
        this.channelMemfd = channelMemfd;
        this.channelMapping = channelMapping;
        this.fifos = fifos;
        this.description = description;
        this.handedOut = new AtomicReferenceArray<>(description.sessionSlots());
    }

    /**
     * Makes a channel: a sealed memfd with the header and both queues formatted (single producer each), and a FIFO
     * segment of {@code sessionSlots} pairs.
     *
     * @param channelId            the channel's id, unique in the stack
     * @param channelSegmentId     the id the applications know the channel segment by
     * @param fifoSegmentId        the id the applications know the FIFO segment by
     * @param sessionSlots         most sessions at once, 1 to {@link #MAX_SESSION_SLOTS}
     * @param toAccepterFifoBytes  capacity of each tx FIFO (connector to accepter)
     * @param toConnectorFifoBytes capacity of each rx FIFO (accepter to connector)
     */
    public static CutThroughChannel create(long channelId, long channelSegmentId, long fifoSegmentId,
            ChannelEnd connector, ChannelEnd accepter, int sessionSlots, int toAccepterFifoBytes,
            int toConnectorFifoBytes) throws SyscallException {
        Objects.requireNonNull(connector, "connector");
        Objects.requireNonNull(accepter, "accepter");
        if (sessionSlots < 1 || sessionSlots > MAX_SESSION_SLOTS) {
            throw new IllegalArgumentException("cut-through channel " + channelId + " from " + connector + " to "
                    + accepter + ": " + sessionSlots + " session slots, the limit is 1 to " + MAX_SESSION_SLOTS);
        }
        String name = "sluice-cut-" + channelId;
        FifoSegment fifos = FifoSegment.create(fifoSegmentId, name + "-fifos", sessionSlots, toAccepterFifoBytes,
                toConnectorFifoBytes);
        NativeFd memfd = null;
        SharedMemory mapping = null;
        try {
            CutThroughDescription description = CutThroughDescription.of(channelId, channelSegmentId,
                    fifoSegmentId, fifos.size(), sessionSlots, toAccepterFifoBytes, toConnectorFifoBytes);
            memfd = SegmentFiles.createSealed(name, description.channelSegmentSize());
            mapping = SharedMemory.map(memfd, description.channelSegmentSize());
            MemorySegment segment = mapping.segment();
            // The stack never posts: both queues are formatted with no doorbell and not kept.
            MessageQueue.format(segment.asSlice(description.toAccepterOffset()), description.queueSlotCount(),
                    description.queueSlotSize(), Producers.SINGLE, Doorbell.NONE);
            MessageQueue.format(segment.asSlice(description.toConnectorOffset()), description.queueSlotCount(),
                    description.queueSlotSize(), Producers.SINGLE, Doorbell.NONE);
            ChannelLayout.writeHeader(segment, description);
            return new CutThroughChannel(connector, accepter, memfd, mapping, fifos, description);
        } catch (SyscallException | RuntimeException e) {
            SegmentFiles.closeQuietly(mapping);
            SegmentFiles.closeQuietly(memfd);
            fifos.close();
            throw e;
        }
    }

    /** What to send to both applications, with {@link #channelMemfd()}, {@link #fifoMemfd()} and the peer eventfd. */
    public CutThroughDescription description() {
        return description;
    }

    /** The channel's id. */
    public long id() {
        return description.channelId();
    }

    /** The connecting application's worker. */
    public ChannelEnd connector() {
        return connector;
    }

    /** The accepting application's worker. */
    public ChannelEnd accepter() {
        return accepter;
    }

    /** The channel segment's memfd (owned here; send a copy, or send it before {@link #close}). */
    public NativeFd channelMemfd() {
        return channelMemfd;
    }

    /** The FIFO segment's memfd (owned here). */
    public NativeFd fifoMemfd() {
        return fifos.memfd();
    }

    /**
     * Bytes waiting in session {@code slot}'s FIFO towards the accepter ({@code toAccepter}) or the connector, for
     * {@code show session}; 0 for a slot not handed out.
     */
    public long fill(int slot, boolean toAccepter) {
        FifoPair pair = handedOut.get(slot);
        if (pair == null) {
            return 0;
        }
        return toAccepter ? pair.tx().readableBytes() : pair.rx().readableBytes();
    }

    /** Sessions holding a FIFO pair now. */
    public int inUse() {
        return fifos.inUse();
    }

    /**
     * Hands out an emptied FIFO pair for a new session; its {@link FifoPair#slot()} is the number both applications
     * use. Thread-safe, allocation-free.
     *
     * @throws SegmentException when every slot is taken, naming both applications and the limit
     */
    public FifoPair allocate() throws SegmentException {
        FifoPair pair = closed.get() ? null : fifos.allocate();
        if (pair == null) {
            throw new SegmentException("cut-through channel " + id() + " from " + connector + " to " + accepter
                    + (closed.get() ? " is closed" : ": all " + description.sessionSlots()
                    + " session slots are in use (the channel's limit)"));
        }
        handedOut.set(pair.slot(), pair);
        return pair;
    }

    /**
     * Takes back the pair at {@code slot} when its session is closed by both applications.
     *
     * @throws IllegalArgumentException if {@code slot} is outside the channel
     * @throws IllegalStateException    if the slot is not handed out (freed twice)
     */
    public void free(int slot) {
        if (slot < 0 || slot >= description.sessionSlots()) {
            throw new IllegalArgumentException("cut-through channel " + id() + ": slot " + slot + " outside [0, "
                    + description.sessionSlots() + ")");
        }
        FifoPair pair = handedOut.getAndSet(slot, null);
        if (pair == null) {
            throw new IllegalStateException("cut-through channel " + id() + ": slot " + slot + " is not in use");
        }
        fifos.free(pair);
    }

    /** Whether {@link #close} was called. */
    public boolean isClosed() {
        return closed.get();
    }

    /**
     * Unmaps and closes both segments. The applications' mappings stay valid until they close their ends; the stack
     * tells them first (not built yet: see ARCHITECTURE.md, cut-through channels).
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            SegmentFiles.closeQuietly(channelMapping);
            SegmentFiles.closeQuietly(channelMemfd);
            fifos.close();
        }
    }

    @Override
    public String toString() {
        return "cut-through channel " + id() + " from " + connector + " to " + accepter + " (" + inUse() + "/"
                + description.sessionSlots() + " sessions)";
    }
}
