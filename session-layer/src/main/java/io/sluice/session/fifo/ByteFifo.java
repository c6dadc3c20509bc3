package io.sluice.session.fifo;

import static io.sluice.session.fifo.FifoLayout.CAPACITY_OFFSET;
import static io.sluice.session.fifo.FifoLayout.CACHE_LINE;
import static io.sluice.session.fifo.FifoLayout.HAS_EVENT_OFFSET;
import static io.sluice.session.fifo.FifoLayout.HEAD_OFFSET;
import static io.sluice.session.fifo.FifoLayout.MAGIC;
import static io.sluice.session.fifo.FifoLayout.MAGIC_OFFSET;
import static io.sluice.session.fifo.FifoLayout.MAX_RANGES_OFFSET;
import static io.sluice.session.fifo.FifoLayout.OUT_OF_ORDER_COUNT_OFFSET;
import static io.sluice.session.fifo.FifoLayout.RANGES_OFFSET;
import static io.sluice.session.fifo.FifoLayout.RANGE_END_OFFSET;
import static io.sluice.session.fifo.FifoLayout.RANGE_SIZE;
import static io.sluice.session.fifo.FifoLayout.RANGE_START_OFFSET;
import static io.sluice.session.fifo.FifoLayout.TAIL_OFFSET;
import static io.sluice.session.fifo.FifoLayout.USER_DATA_LENGTH;
import static io.sluice.session.fifo.FifoLayout.USER_DATA_OFFSET;
import static io.sluice.session.fifo.FifoLayout.VERSION;
import static io.sluice.session.fifo.FifoLayout.VERSION_OFFSET;
import static io.sluice.session.fifo.FifoLayout.WANT_DEQUEUE_NOTIFICATION_OFFSET;
import static io.sluice.session.segment.SharedAccess.INT;
import static io.sluice.session.segment.SharedAccess.LONG;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.sluice.core.tcp.ReceiveBuffer;
import io.sluice.core.tcp.SendBuffer;
import io.sluice.session.segment.SharedMemoryCorruptedException;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A single-producer, single-consumer byte FIFO in shared memory: the channel through which a session's bytes move
 * between the stack and an application (or between two applications, cut-through). Layout in {@link FifoLayout}.
 *
 * <p><b>Roles.</b> The producer writes at the tail and owns {@code tail} and the out-of-order range table; the
 * consumer reads at the head and owns {@code head}. Each side publishes its position with a release store after
 * touching the data, and reads the other's with an acquire load before touching the data, so bytes are never read
 * before they are written nor overwritten before they are read. Each process (or thread) builds its own
 * {@code ByteFifo} view over the same memory; one view may serve both roles only if each role stays on one thread.
 *
 * <p><b>Defence.</b> The capacity and range-table size are read once, when the view is built, and kept in final
 * fields; every position or range read from shared memory afterwards is checked against them, so a process that
 * scribbles on the header makes operations throw {@link SharedMemoryCorruptedException}, and never makes this
 * view read or write outside the FIFO's region.
 *
 * <p><b>Out-of-order data.</b> TCP writes early segments in place beyond the tail
 * ({@link #enqueueOutOfOrder}); the FIFO records them as merged, sorted ranges, and when an in-order write reaches
 * a range the tail jumps over it. Only the producer reads or writes the range table.
 *
 * <p><b>Notifications.</b> {@link #setEvent()} tells the producer whether it must post an event (only on the
 * 0 to 1 change of the has-event flag, so one event covers many writes). A producer that finds the FIFO full asks,
 * with {@link #requestDequeueNotification(int)}, to be told when the consumer frees space;
 * {@link #needsDequeueNotification(int)} tells the consumer to send that notification.
 *
 * <p>No method allocates on the Java heap.
 */
public final class ByteFifo implements ReceiveBuffer, SendBuffer {

    /** Dequeue notification wanted after every dequeue. */
    public static final int NOTIFY_ALWAYS = 1;
    /** Dequeue notification wanted when a dequeue frees space in a FIFO that was full. */
    public static final int NOTIFY_IF_FULL = 2;
    /** Dequeue notification wanted when a dequeue leaves the FIFO empty. */
    public static final int NOTIFY_IF_EMPTY = 4;
    private static final int NOTIFY_ALL_FLAGS = NOTIFY_ALWAYS | NOTIFY_IF_FULL | NOTIFY_IF_EMPTY;

    private final MemorySegment region;
    private final MemorySegment data;
    /** The data area as a buffer, used only with absolute get/put, which leave its state alone (thread-safe). */
    private final ByteBuffer dataBuffer;
    private final int capacity;
    private final int maxRanges;

    private ByteFifo(MemorySegment region, int capacity, int maxRanges) {
        this.region = region;
        this.capacity = capacity;
        this.maxRanges = maxRanges;
        this.data = region.asSlice(FifoLayout.dataOffset(maxRanges), capacity);
        this.dataBuffer = data.asByteBuffer();
    }

    /**
     * Initialises an empty FIFO in {@code region} (which must be 64-byte aligned and at least
     * {@link FifoLayout#footprint} bytes) and returns a view of it. Only the creator calls this, before any other
     * process can see the region.
     */
    public static ByteFifo format(MemorySegment region, int capacity, int maxOutOfOrderRanges) {
        long footprint = FifoLayout.footprint(capacity, maxOutOfOrderRanges);
        checkRegion(region, footprint);
        region.asSlice(0, FifoLayout.dataOffset(maxOutOfOrderRanges)).fill((byte) 0);
        region.set(JAVA_INT, VERSION_OFFSET, VERSION);
        region.set(JAVA_INT, CAPACITY_OFFSET, capacity);
        region.set(JAVA_INT, MAX_RANGES_OFFSET, maxOutOfOrderRanges);
        // Release: whoever sees the magic sees a fully initialised header.
        INT.setRelease(region, (long) MAGIC_OFFSET, MAGIC);
        return new ByteFifo(region, capacity, maxOutOfOrderRanges);
    }

    /**
     * Builds a view of a FIFO another party formatted. The header is validated against the region's size; the
     * region is trimmed to the FIFO's footprint so nothing past it is reachable through this view.
     */
    public static ByteFifo attach(MemorySegment region) {
        checkRegion(region, FifoLayout.RANGES_OFFSET);
        int magic = (int) INT.getAcquire(region, (long) MAGIC_OFFSET);
        int version = region.get(JAVA_INT, VERSION_OFFSET);
        int capacity = region.get(JAVA_INT, CAPACITY_OFFSET);
        int maxRanges = region.get(JAVA_INT, MAX_RANGES_OFFSET);
        if (magic != MAGIC || version != VERSION) {
            throw corrupted(region, "header magic 0x" + Integer.toHexString(magic) + " version " + version
                    + ", expected 0x" + Integer.toHexString(MAGIC) + " version " + VERSION);
        }
        long footprint;
        try {
            footprint = FifoLayout.footprint(capacity, maxRanges);
        } catch (IllegalArgumentException e) {
            throw corrupted(region, e.getMessage());
        }
        if (footprint > region.byteSize()) {
            throw corrupted(region, "capacity " + capacity + " with " + maxRanges + " ranges needs " + footprint
                    + " bytes but the region has " + region.byteSize());
        }
        return new ByteFifo(region.asSlice(0, footprint), capacity, maxRanges);
    }

    private static void checkRegion(MemorySegment region, long needed) {
        Objects.requireNonNull(region, "region");
        if (!region.isNative() || (region.address() & (CACHE_LINE - 1)) != 0) {
            throw new IllegalArgumentException("FIFO region must be native memory aligned to " + CACHE_LINE
                    + " bytes (address 0x" + Long.toHexString(region.address()) + ")");
        }
        if (region.byteSize() < needed) {
            throw new IllegalArgumentException(
                    "FIFO region of " + region.byteSize() + " bytes is smaller than the " + needed + " needed");
        }
    }

    @Override
    public int capacity() {
        return capacity;
    }

    /** Size of the out-of-order range table (0: out-of-order writes are refused). */
    public int maxOutOfOrderRanges() {
        return maxRanges;
    }

    /** The data area: {@link #headIndex()} and {@link #tailIndex()} are offsets into it. */
    public MemorySegment data() {
        return data;
    }

    /** The FIFO's whole region (header, range table and data). */
    public MemorySegment region() {
        return region;
    }

    /**
     * Empties the FIFO as {@link #format} left it (positions, flags, out-of-order ranges and user data at zero),
     * keeping its capacity and range table. Only for the owner of a FIFO nobody uses: a freed FIFO handed to a new
     * session; the new session's announcement (a release on a message queue) publishes the cleared header.
     * Allocates nothing, unlike a new {@code format}.
     */
    public void reset() {
        long end = FifoLayout.dataOffset(maxRanges);
        for (long offset = USER_DATA_OFFSET; offset < end; offset += Long.BYTES) {
            region.set(JAVA_LONG, offset, 0L);
        }
        VarHandle.releaseFence();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Positions, read with their checks
    // ---------------------------------------------------------------------------------------------------------

    /** The producer's own tail (plain read: only the producer writes it). */
    private long producerTail() {
        long tail = region.get(JAVA_LONG, TAIL_OFFSET);
        if (tail < 0) {
            throw corrupted(region, "tail " + tail + " is negative");
        }
        return tail;
    }

    /**
     * The consumer's head as the producer sees it. Acquire pairs with the consumer's release in
     * {@link #publishHead}: the bytes before head have been read and may be overwritten.
     */
    private long headSeenByProducer(long tail) {
        long head = (long) LONG.getAcquire(region, (long) HEAD_OFFSET);
        checkPositions(head, tail);
        return head;
    }

    /** The consumer's own head (plain read: only the consumer writes it). */
    private long consumerHead() {
        long head = region.get(JAVA_LONG, HEAD_OFFSET);
        if (head < 0) {
            throw corrupted(region, "head " + head + " is negative");
        }
        return head;
    }

    /**
     * The producer's tail as the consumer sees it. Acquire pairs with the producer's release in
     * {@link #publishTail}: every byte before tail is written.
     */
    private long tailSeenByConsumer(long head) {
        long tail = (long) LONG.getAcquire(region, (long) TAIL_OFFSET);
        checkPositions(head, tail);
        return tail;
    }

    private void checkPositions(long head, long tail) {
        long used = tail - head;
        if (head < 0 || tail < 0 || used < 0 || used > capacity) {
            throw corrupted(region, "head " + head + " and tail " + tail + " are not 0 <= tail - head <= capacity "
                    + capacity);
        }
    }

    private int index(long position) {
        return (int) (position % capacity);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Producer
    // ---------------------------------------------------------------------------------------------------------

    @Override
    public int freeSpace() {
        long tail = producerTail();
        return capacity - (int) (tail - headSeenByProducer(tail));
    }

    /**
     * Appends up to {@code length} bytes at the tail, as many as fit.
     *
     * @return how far the tail advanced; without out-of-order data this is the number of bytes written
     */
    @Override
    public int enqueue(MemorySegment source, long sourceOffset, int length) {
        checkLength(length);
        long tail = producerTail();
        int written = Math.min(length, capacity - (int) (tail - headSeenByProducer(tail)));
        if (written > 0) {
            copyIn(tail, source, sourceOffset, written);
        }
        return publishTail(tail, tail + written);
    }

    /** Appends up to {@code length} bytes of {@code source} from {@code offset}; returns as {@link #enqueue}. */
    public int enqueue(byte[] source, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, source.length);
        long tail = producerTail();
        int written = Math.min(length, capacity - (int) (tail - headSeenByProducer(tail)));
        if (written > 0) {
            int at = index(tail);
            int first = Math.min(written, capacity - at);
            MemorySegment.copy(source, offset, data, JAVA_BYTE, at, first);
            if (written > first) {
                MemorySegment.copy(source, offset + first, data, JAVA_BYTE, 0, written - first);
            }
        }
        return publishTail(tail, tail + written);
    }

    /**
     * Appends as many of {@code source}'s remaining bytes as fit, advancing its position by the bytes written.
     * Returns as {@link #enqueue}.
     */
    public int enqueue(ByteBuffer source) {
        long tail = producerTail();
        int written = Math.min(source.remaining(), capacity - (int) (tail - headSeenByProducer(tail)));
        if (written > 0) {
            int at = index(tail);
            int first = Math.min(written, capacity - at);
            int from = source.position();
            dataBuffer.put(at, source, from, first);
            if (written > first) {
                dataBuffer.put(0, source, from + first, written - first);
            }
            source.position(from + written);
        }
        return publishTail(tail, tail + written);
    }

    /** Bytes writable at {@link #tailIndex()} without wrapping: the zero-copy write window. */
    public int writableContiguous() {
        long tail = producerTail();
        int free = capacity - (int) (tail - headSeenByProducer(tail));
        return Math.min(free, capacity - index(tail));
    }

    /** Offset in {@link #data()} where the next in-order byte goes. */
    public int tailIndex() {
        return index(producerTail());
    }

    /**
     * Publishes {@code length} bytes the producer wrote directly into {@link #data()} at {@link #tailIndex()}.
     *
     * @return how far the tail advanced (out-of-order ranges reached are absorbed)
     * @throws IllegalArgumentException if {@code length} exceeds the free space
     */
    public int commitEnqueue(int length) {
        checkLength(length);
        long tail = producerTail();
        int free = capacity - (int) (tail - headSeenByProducer(tail));
        if (length > free) {
            throw new IllegalArgumentException("commit of " + length + " bytes exceeds free space " + free);
        }
        return publishTail(tail, tail + length);
    }

    @Override
    public int enqueueOutOfOrder(int offset, MemorySegment source, long sourceOffset, int length) {
        checkLength(length);
        if (offset < 1) {
            throw new IllegalArgumentException("out-of-order offset " + offset + " must be at least 1");
        }
        long tail = producerTail();
        long head = headSeenByProducer(tail);
        long windowEnd = head + capacity;
        long start = tail + offset;
        if (length == 0 || start >= windowEnd) {
            return 0;
        }
        long end = Math.min(start + length, windowEnd);
        int count = checkedRangeCount(tail, head);

        // Ranges [first, beyond) overlap or touch [start, end) and merge with it into one.
        int first = 0;
        while (first < count && rangeEnd(first) < start) {
            first++;
        }
        int beyond = first;
        while (beyond < count && rangeStart(beyond) <= end) {
            beyond++;
        }
        long mergedStart = start;
        long mergedEnd = end;
        if (beyond > first) {
            mergedStart = Math.min(start, rangeStart(first));
            mergedEnd = Math.max(end, rangeEnd(beyond - 1));
        } else if (count == maxRanges) {
            return 0; // a new separate range is needed and the table is full: the sender will retransmit
        }

        int taken = (int) (end - start);
        copyIn(start, source, sourceOffset, taken);

        int newCount = count - (beyond - first) + 1;
        if (beyond != first + 1 && beyond < count) {
            MemorySegment.copy(region, rangeOffset(beyond), region, rangeOffset(first + 1),
                    (long) (count - beyond) * RANGE_SIZE);
        }
        setRange(first, mergedStart, mergedEnd);
        region.set(JAVA_INT, OUT_OF_ORDER_COUNT_OFFSET, newCount);
        return taken;
    }

    @Override
    public int outOfOrderRangeCount() {
        if (maxRanges == 0) {
            return 0;
        }
        long tail = producerTail();
        return checkedRangeCount(tail, headSeenByProducer(tail));
    }

    @Override
    public int outOfOrderRangeOffset(int index) {
        long tail = producerTail();
        int i = Objects.checkIndex(index, checkedRangeCount(tail, headSeenByProducer(tail)));
        return (int) (rangeStart(i) - tail);
    }

    @Override
    public int outOfOrderRangeLength(int index) {
        long tail = producerTail();
        int i = Objects.checkIndex(index, checkedRangeCount(tail, headSeenByProducer(tail)));
        return (int) (rangeEnd(i) - rangeStart(i));
    }

    /**
     * Moves the tail from {@code oldTail} to {@code newTail}, first absorbing every out-of-order range that the
     * new tail reaches, then publishing it with a release store that pairs with the consumer's acquire in
     * {@link #tailSeenByConsumer}: the bytes are visible before the tail that covers them.
     */
    private int publishTail(long oldTail, long newTail) {
        if (maxRanges > 0) {
            int count = region.get(JAVA_INT, OUT_OF_ORDER_COUNT_OFFSET);
            if (count != 0) {
                count = checkedRangeCount(oldTail, headSeenByProducer(oldTail));
                int absorbed = 0;
                while (absorbed < count && rangeStart(absorbed) <= newTail) {
                    newTail = Math.max(newTail, rangeEnd(absorbed));
                    absorbed++;
                }
                if (absorbed > 0) {
                    MemorySegment.copy(region, rangeOffset(absorbed), region, rangeOffset(0),
                            (long) (count - absorbed) * RANGE_SIZE);
                    region.set(JAVA_INT, OUT_OF_ORDER_COUNT_OFFSET, count - absorbed);
                }
            }
        }
        LONG.setRelease(region, (long) TAIL_OFFSET, newTail);
        return (int) (newTail - oldTail);
    }

    /**
     * The range count, after checking the whole table: ascending, disjoint and not touching, every range after
     * the tail and inside the window {@code head + capacity}. Only the producer writes the table, but it lives in
     * memory the other side can scribble on.
     */
    private int checkedRangeCount(long tail, long head) {
        int count = region.get(JAVA_INT, OUT_OF_ORDER_COUNT_OFFSET);
        if (count < 0 || count > maxRanges) {
            throw corrupted(region, "out-of-order range count " + count + " outside [0, " + maxRanges + "]");
        }
        long previousEnd = tail;
        long windowEnd = head + capacity;
        for (int i = 0; i < count; i++) {
            long start = rangeStart(i);
            long end = rangeEnd(i);
            if (start <= previousEnd || end <= start || end > windowEnd) {
                throw corrupted(region, "out-of-order range " + i + " [" + start + ", " + end + ") is not after "
                        + previousEnd + " and within window end " + windowEnd);
            }
            previousEnd = end;
        }
        return count;
    }

    private static long rangeOffset(int i) {
        return RANGES_OFFSET + (long) i * RANGE_SIZE;
    }

    private long rangeStart(int i) {
        return region.get(JAVA_LONG, rangeOffset(i) + RANGE_START_OFFSET);
    }

    private long rangeEnd(int i) {
        return region.get(JAVA_LONG, rangeOffset(i) + RANGE_END_OFFSET);
    }

    private void setRange(int i, long start, long end) {
        region.set(JAVA_LONG, rangeOffset(i) + RANGE_START_OFFSET, start);
        region.set(JAVA_LONG, rangeOffset(i) + RANGE_END_OFFSET, end);
    }

    private void copyIn(long position, MemorySegment source, long sourceOffset, int length) {
        int at = index(position);
        int first = Math.min(length, capacity - at);
        MemorySegment.copy(source, sourceOffset, data, at, first);
        if (length > first) {
            MemorySegment.copy(source, sourceOffset + first, data, 0, length - first);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Consumer
    // ---------------------------------------------------------------------------------------------------------

    @Override
    public int readableBytes() {
        long head = consumerHead();
        return (int) (tailSeenByConsumer(head) - head);
    }

    /** Whether there is nothing to read. */
    public boolean isEmpty() {
        return readableBytes() == 0;
    }

    /** Moves up to {@code length} bytes into {@code destination}; returns the bytes moved. */
    public int dequeue(MemorySegment destination, long destinationOffset, int length) {
        checkLength(length);
        long head = consumerHead();
        int moved = Math.min(length, (int) (tailSeenByConsumer(head) - head));
        if (moved > 0) {
            copyOut(head, destination, destinationOffset, moved);
            publishHead(head + moved);
        }
        return moved;
    }

    /** Moves up to {@code length} bytes into {@code destination} at {@code offset}; returns the bytes moved. */
    public int dequeue(byte[] destination, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, destination.length);
        long head = consumerHead();
        int moved = Math.min(length, (int) (tailSeenByConsumer(head) - head));
        if (moved > 0) {
            int at = index(head);
            int first = Math.min(moved, capacity - at);
            MemorySegment.copy(data, JAVA_BYTE, at, destination, offset, first);
            if (moved > first) {
                MemorySegment.copy(data, JAVA_BYTE, 0, destination, offset + first, moved - first);
            }
            publishHead(head + moved);
        }
        return moved;
    }

    /** Moves as many bytes as {@code destination} has room for, advancing its position; returns the bytes moved. */
    public int dequeue(ByteBuffer destination) {
        long head = consumerHead();
        int moved = Math.min(destination.remaining(), (int) (tailSeenByConsumer(head) - head));
        if (moved > 0) {
            int at = index(head);
            int first = Math.min(moved, capacity - at);
            int to = destination.position();
            destination.put(to, dataBuffer, at, first);
            if (moved > first) {
                destination.put(to + first, dataBuffer, 0, moved - first);
            }
            destination.position(to + moved);
            publishHead(head + moved);
        }
        return moved;
    }

    @Override
    public int peek(int offset, MemorySegment destination, long destinationOffset, int length) {
        checkLength(length);
        if (offset < 0) {
            throw new IllegalArgumentException("peek offset " + offset + " is negative");
        }
        long head = consumerHead();
        long available = tailSeenByConsumer(head) - head - offset;
        if (available <= 0) {
            return 0;
        }
        int copied = (int) Math.min(length, available);
        copyOut(head + offset, destination, destinationOffset, copied);
        return copied;
    }

    @Override
    public int drop(int length) {
        checkLength(length);
        long head = consumerHead();
        int dropped = Math.min(length, (int) (tailSeenByConsumer(head) - head));
        if (dropped > 0) {
            publishHead(head + dropped);
        }
        return dropped;
    }

    /** Bytes readable at {@link #headIndex()} without wrapping: the zero-copy read window. */
    public int readableContiguous() {
        long head = consumerHead();
        int readable = (int) (tailSeenByConsumer(head) - head);
        return Math.min(readable, capacity - index(head));
    }

    /** Offset in {@link #data()} of the next byte to read. Consume what was read there with {@link #drop}. */
    public int headIndex() {
        return index(consumerHead());
    }

    /**
     * Publishes the consumer's new head. Release pairs with the producer's acquire in {@link #headSeenByProducer}:
     * the bytes were copied out before the producer may overwrite them.
     */
    private void publishHead(long newHead) {
        LONG.setRelease(region, (long) HEAD_OFFSET, newHead);
    }

    private void copyOut(long position, MemorySegment destination, long destinationOffset, int length) {
        int at = index(position);
        int first = Math.min(length, capacity - at);
        MemorySegment.copy(data, at, destination, destinationOffset, first);
        if (length > first) {
            MemorySegment.copy(data, 0, destination, destinationOffset + first, length - first);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Events and notifications
    // ---------------------------------------------------------------------------------------------------------

    /**
     * Producer, after publishing data: marks that an event is pending. True only for the call that changed the
     * flag from 0 to 1; that caller posts the event, and further writes ride on it until the consumer clears it.
     */
    public boolean setEvent() {
        // Orders the preceding tail store before the flag load (store-load): otherwise a consumer could clear the
        // flag and miss our tail while we still read the old flag value 1 and post nothing.
        VarHandle.fullFence();
        if ((int) INT.getVolatile(region, (long) HAS_EVENT_OFFSET) != 0) {
            return false;
        }
        return INT.compareAndSet(region, (long) HAS_EVENT_OFFSET, 0, 1);
    }

    /**
     * Consumer, before reading: clears the pending-event flag, so bytes written after this read raise a new event.
     * The store is fenced before the consumer's following load of the tail (the producer's side has the same).
     */
    public void clearEvent() {
        INT.setVolatile(region, (long) HAS_EVENT_OFFSET, 0);
        // Store-load: a volatile store is not ordered before the later acquire load of the tail by itself.
        VarHandle.fullFence();
    }

    /** Whether an event is pending. */
    public boolean hasEvent() {
        return (int) INT.getVolatile(region, (long) HAS_EVENT_OFFSET) != 0;
    }

    /**
     * Producer: asks to be told when the consumer dequeues ({@link #NOTIFY_ALWAYS}), frees space in a full FIFO
     * ({@link #NOTIFY_IF_FULL}) or empties it ({@link #NOTIFY_IF_EMPTY}); flags accumulate until notified. After
     * this call, check the free space again: the consumer may have dequeued just before the request was seen.
     */
    public void requestDequeueNotification(int flags) {
        if (flags == 0 || (flags & ~NOTIFY_ALL_FLAGS) != 0) {
            throw new IllegalArgumentException("dequeue notification flags 0x" + Integer.toHexString(flags));
        }
        INT.getAndBitwiseOr(region, (long) WANT_DEQUEUE_NOTIFICATION_OFFSET, flags);
        // Pairs with the fence in needsDequeueNotification: either the consumer sees this request, or the
        // producer's re-check of free space sees the consumer's new head.
        VarHandle.fullFence();
    }

    /** The dequeue notification flags currently requested. */
    public int requestedDequeueNotification() {
        return (int) INT.getVolatile(region, (long) WANT_DEQUEUE_NOTIFICATION_OFFSET) & NOTIFY_ALL_FLAGS;
    }

    /**
     * Consumer, after a dequeue or drop: whether the producer asked to be told about it. When it did, the request
     * is cleared (one notification per request) and the caller sends the notification.
     *
     * @param readableBeforeDequeue the readable byte count before the dequeue, to recognise "was full"
     */
    public boolean needsDequeueNotification(int readableBeforeDequeue) {
        VarHandle.fullFence(); // see requestDequeueNotification
        for (int attempt = 0; attempt < 8; attempt++) {
            int want = (int) INT.getVolatile(region, (long) WANT_DEQUEUE_NOTIFICATION_OFFSET);
            if ((want & NOTIFY_ALL_FLAGS) == 0) {
                return false;
            }
            boolean needed = (want & NOTIFY_ALWAYS) != 0
                    || ((want & NOTIFY_IF_FULL) != 0 && readableBeforeDequeue >= capacity)
                    || ((want & NOTIFY_IF_EMPTY) != 0 && readableBytes() == 0);
            if (!needed) {
                return false;
            }
            if (INT.compareAndSet(region, (long) WANT_DEQUEUE_NOTIFICATION_OFFSET, want, 0)) {
                return true;
            }
            // The producer added a flag meanwhile: decide again with the new value.
        }
        throw corrupted(region, "dequeue notification flags keep changing under the consumer");
    }

    // ---------------------------------------------------------------------------------------------------------
    // User data and helpers
    // ---------------------------------------------------------------------------------------------------------

    /** One of the four {@code long} words the session layer keeps in the header; opaque to the FIFO. */
    public long userData(int word) {
        return region.get(JAVA_LONG, USER_DATA_OFFSET + (long) Objects.checkIndex(word, USER_DATA_LENGTH / 8) * 8);
    }

    /** Sets one of the four user data words (before the FIFO is shared, or by the side that owns the word). */
    public void setUserData(int word, long value) {
        region.set(JAVA_LONG, USER_DATA_OFFSET + (long) Objects.checkIndex(word, USER_DATA_LENGTH / 8) * 8, value);
    }

    private static void checkLength(int length) {
        if (length < 0) {
            throw new IllegalArgumentException("length " + length + " is negative");
        }
    }

    private static SharedMemoryCorruptedException corrupted(MemorySegment region, String what) {
        return new SharedMemoryCorruptedException(
                "FIFO at 0x" + Long.toHexString(region.address()) + ": " + what);
    }

    @Override
    public String toString() {
        long head = region.get(JAVA_LONG, HEAD_OFFSET);
        long tail = region.get(JAVA_LONG, TAIL_OFFSET);
        return "ByteFifo[capacity=" + capacity + ", head=" + head + ", tail=" + tail + ", outOfOrderRanges="
                + (maxRanges == 0 ? 0 : region.get(JAVA_INT, OUT_OF_ORDER_COUNT_OFFSET)) + "]";
    }
}
