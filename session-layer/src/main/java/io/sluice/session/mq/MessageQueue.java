package io.sluice.session.mq;

import static io.sluice.session.mq.QueueLayout.CACHE_LINE;
import static io.sluice.session.mq.QueueLayout.CONSUMER_SLEEPING_OFFSET;
import static io.sluice.session.mq.QueueLayout.FULL_COUNT_OFFSET;
import static io.sluice.session.mq.QueueLayout.HEAD_OFFSET;
import static io.sluice.session.mq.QueueLayout.MAGIC;
import static io.sluice.session.mq.QueueLayout.MAGIC_OFFSET;
import static io.sluice.session.mq.QueueLayout.PRODUCERS_OFFSET;
import static io.sluice.session.mq.QueueLayout.SLOTS_OFFSET;
import static io.sluice.session.mq.QueueLayout.SLOT_COUNT_OFFSET;
import static io.sluice.session.mq.QueueLayout.SLOT_PAYLOAD_OFFSET;
import static io.sluice.session.mq.QueueLayout.SLOT_SEQUENCE_OFFSET;
import static io.sluice.session.mq.QueueLayout.SLOT_SIZE_OFFSET;
import static io.sluice.session.mq.QueueLayout.TAIL_OFFSET;
import static io.sluice.session.mq.QueueLayout.VERSION;
import static io.sluice.session.mq.QueueLayout.VERSION_OFFSET;
import static io.sluice.session.mq.QueueLayout.WAKEUP_COUNT_OFFSET;
import static io.sluice.session.segment.SharedAccess.INT;
import static io.sluice.session.segment.SharedAccess.LONG;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.sluice.session.segment.SharedMemoryCorruptedException;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.Objects;

/**
 * A bounded queue of fixed-size message slots in shared memory: many producers (possibly in several processes),
 * one consumer, lock-free. Stack workers post session events to an application worker through one; an application
 * posts requests to the stack through another. Layout and slot states in {@link QueueLayout}.
 *
 * <p><b>Producing.</b> {@link #tryClaim()} reserves the next slot (one compare-and-set on the tail when the queue
 * was formatted for {@link Producers#MULTIPLE} producers, a plain store for {@link Producers#SINGLE}) and returns
 * its position, or {@link #FULL} (a distinct result the caller must handle; it is counted). The producer writes
 * the payload at {@link #payloadOffset(long)} and makes it visible with {@link #commit(long)}.
 *
 * <p><b>Consuming.</b> {@link #drain} hands published messages to a handler in order, then frees their slots by
 * publishing its head (once per batch, not per message).
 *
 * <p><b>Sleeping.</b> A consumer with nothing to do calls {@link #prepareToSleep()}, which announces the sleep and
 * re-checks the queue, and then waits on its doorbell (an eventfd). A producer rings the doorbell only when the
 * consumer announced a sleep, and only the first producer after the announcement does (it wins the 1 to 0
 * compare-and-set of the sleeping flag): one eventfd write per sleep, none while the consumer polls.
 *
 * <p><b>Defence.</b> The geometry is read once when the view is built; every slot sequence and position read
 * afterwards is checked against the states a well-behaved party can produce, and anything else throws
 * {@link SharedMemoryCorruptedException}. A producer that claims a slot and dies before committing it stalls the
 * consumer at that slot: the stack detects the death through the attach socket and discards the queue.
 *
 * <p>No method allocates on the Java heap.
 */
public final class MessageQueue {

    /** {@link #tryClaim()} result when every slot is taken. */
    public static final long FULL = -1;

    /** The consumer publishes its head at least this often within a batch (a power of two). */
    private static final int HEAD_PUBLISH_INTERVAL = 64;

    /** Compare-and-set attempts before a tail that never settles is taken for corruption. */
    private static final int MAX_CLAIM_ATTEMPTS = 1 << 16;

    private final MemorySegment region;
    private final int slotCount;
    private final int slotSize;
    private final long mask;
    private final boolean singleProducer;
    private final Doorbell doorbell;
    /** False for a polling-only consumer: producers then skip the store-load fence of the wakeup check. */
    private final boolean wakeupsEnabled;

    /**
     * The consumer's next position to consume. Only the consumer's thread reads or writes it; published to the
     * header as the head.
     */
    private final Cursor consumer = new Cursor();

    /**
     * The producers' side: {@code cachedHead}, the consumer's head as they last read it (they re-read the shared
     * head only when this one says the queue is full, which keeps them off the consumer's cache line); and, in
     * single-producer mode, {@code position}, the next position to claim, so a claim does not re-read the shared
     * tail.
     */
    private final Cursor producer = new Cursor();

    private MessageQueue(MemorySegment region, int slotCount, int slotSize, Producers producers, Doorbell doorbell) {
        this.region = region;
        this.slotCount = slotCount;
        this.slotSize = slotSize;
        this.mask = slotCount - 1;
        this.singleProducer = producers == Producers.SINGLE;
        this.doorbell = Objects.requireNonNull(doorbell, "doorbell");
        this.wakeupsEnabled = doorbell != Doorbell.NONE;
        long head = (long) LONG.getAcquire(region, (long) HEAD_OFFSET);
        if (head < 0) {
            throw corrupted("head " + head + " is negative");
        }
        this.consumer.position = head;
        this.producer.cachedHead = head;
        long tail = (long) LONG.getAcquire(region, (long) TAIL_OFFSET);
        if (singleProducer && (tail < head || tail - head > slotCount)) {
            throw corrupted("tail " + tail + " and head " + head + " are not 0 <= tail - head <= " + slotCount);
        }
        this.producer.position = tail;
    }

    /**
     * Initialises an empty queue in {@code region} (64-byte aligned, at least {@link QueueLayout#footprint}
     * bytes) and returns a view of it. Only the creator calls this, before the region is shared.
     *
     * @param doorbell how this view's producers wake the consumer; {@link Doorbell#NONE} if it never sleeps
     */
    public static MessageQueue format(MemorySegment region, int slotCount, int slotSize, Producers producers,
            Doorbell doorbell) {
        Objects.requireNonNull(producers, "producers");
        long footprint = QueueLayout.footprint(slotCount, slotSize);
        checkRegion(region, footprint);
        region.asSlice(0, footprint).fill((byte) 0); // every slot's sequence 0: nothing published
        region.set(JAVA_INT, VERSION_OFFSET, VERSION);
        region.set(JAVA_INT, SLOT_COUNT_OFFSET, slotCount);
        region.set(JAVA_INT, SLOT_SIZE_OFFSET, slotSize);
        region.set(JAVA_INT, PRODUCERS_OFFSET, producers.code());
        INT.setRelease(region, (long) MAGIC_OFFSET, MAGIC); // whoever sees the magic sees the initialised queue
        return new MessageQueue(region.asSlice(0, footprint), slotCount, slotSize, producers, doorbell);
    }

    /** Builds a view of a queue another party formatted, checking its header against the region. */
    public static MessageQueue attach(MemorySegment region, Doorbell doorbell) {
        checkRegion(region, SLOTS_OFFSET);
        int magic = (int) INT.getAcquire(region, (long) MAGIC_OFFSET);
        int version = region.get(JAVA_INT, VERSION_OFFSET);
        int slotCount = region.get(JAVA_INT, SLOT_COUNT_OFFSET);
        int slotSize = region.get(JAVA_INT, SLOT_SIZE_OFFSET);
        Producers producers = Producers.ofCode(region.get(JAVA_INT, PRODUCERS_OFFSET));
        String where = "queue at 0x" + Long.toHexString(region.address()) + ": ";
        if (magic != MAGIC || version != VERSION) {
            throw new SharedMemoryCorruptedException(where + "header magic 0x" + Integer.toHexString(magic)
                    + " version " + version + ", expected 0x" + Integer.toHexString(MAGIC) + " version " + VERSION);
        }
        if (producers == null) {
            throw new SharedMemoryCorruptedException(where + "producer mode " + region.get(JAVA_INT, PRODUCERS_OFFSET)
                    + " is none of " + Arrays.toString(Producers.values()));
        }
        long footprint;
        try {
            footprint = QueueLayout.footprint(slotCount, slotSize);
        } catch (IllegalArgumentException e) {
            throw new SharedMemoryCorruptedException(where + e.getMessage());
        }
        if (footprint > region.byteSize()) {
            throw new SharedMemoryCorruptedException(where + slotCount + " slots of " + slotSize + " bytes need "
                    + footprint + " bytes but the region has " + region.byteSize());
        }
        return new MessageQueue(region.asSlice(0, footprint), slotCount, slotSize, producers, doorbell);
    }

    private static void checkRegion(MemorySegment region, long needed) {
        Objects.requireNonNull(region, "region");
        if (!region.isNative() || (region.address() & (CACHE_LINE - 1)) != 0) {
            throw new IllegalArgumentException("queue region must be native memory aligned to " + CACHE_LINE
                    + " bytes (address 0x" + Long.toHexString(region.address()) + ")");
        }
        if (region.byteSize() < needed) {
            throw new IllegalArgumentException(
                    "queue region of " + region.byteSize() + " bytes is smaller than the " + needed + " needed");
        }
    }

    /** Number of slots. */
    public int slotCount() {
        return slotCount;
    }

    /** The producer mode the queue was formatted for. */
    public Producers producers() {
        return singleProducer ? Producers.SINGLE : Producers.MULTIPLE;
    }

    /** Payload bytes per message: the slot size less the sequence word. */
    public int payloadSize() {
        return slotSize - SLOT_PAYLOAD_OFFSET;
    }

    /** The queue's region; payload offsets are relative to it. */
    public MemorySegment memory() {
        return region;
    }

    private long slotOffset(long position) {
        return SLOTS_OFFSET + (position & mask) * slotSize;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Producers
    // ---------------------------------------------------------------------------------------------------------

    /**
     * Reserves the next slot.
     *
     * @return the claimed position, to pass to {@link #payloadOffset} and {@link #commit}; or {@link #FULL}
     */
    public long tryClaim() {
        return singleProducer ? claimAsSingleProducer() : claimAsOneOfMany();
    }

    private long claimAsSingleProducer() {
        Cursor cursor = producer;
        long tail = cursor.position;
        if (tail - cursor.cachedHead >= slotCount && isFull(tail)) {
            return FULL;
        }
        cursor.position = tail + 1;
        // Only this thread writes the tail, and nobody orders anything by it (the consumer reads the slot
        // sequences; the tail is a gauge and a restart point): an opaque store is enough. It is not a locked
        // instruction, so the producer does not wait here for earlier slots' cache lines to reach the consumer.
        LONG.setOpaque(region, (long) TAIL_OFFSET, tail + 1);
        return tail;
    }

    private long claimAsOneOfMany() {
        for (int attempt = 0; attempt < MAX_CLAIM_ATTEMPTS; attempt++) {
            long tail = (long) LONG.getVolatile(region, (long) TAIL_OFFSET);
            if (tail < 0) {
                throw corrupted("tail " + tail + " is negative");
            }
            if (tail - producer.cachedHead >= slotCount && isFull(tail)) {
                return FULL;
            }
            if (LONG.compareAndSet(region, (long) TAIL_OFFSET, tail, tail + 1)) {
                return tail;
            }
            // Another producer claimed this position; read the tail again.
        }
        throw corrupted("tail never settled in " + MAX_CLAIM_ATTEMPTS + " attempts");
    }

    /**
     * Whether {@code tail} is a whole ring ahead of the consumer, by the shared head (the cached one said so).
     * Acquire pairs with the consumer's release of head: the slots before it were read out and may be reused.
     * A full result is counted.
     */
    private boolean isFull(long tail) {
        long head = (long) LONG.getAcquire(region, (long) HEAD_OFFSET);
        // The tail was read first, so tail - head can only be smaller than the truth, never larger.
        if (head < 0 || tail - head > slotCount) {
            throw corrupted("head " + head + " and tail " + tail + " are more than " + slotCount + " apart");
        }
        if (head > producer.cachedHead) {
            producer.cachedHead = head;
        }
        if (tail - head >= slotCount) {
            LONG.getAndAdd(region, (long) FULL_COUNT_OFFSET, 1L);
            return true;
        }
        return false;
    }

    /** Offset in {@link #memory()} of the payload of the slot claimed at {@code position}. */
    public long payloadOffset(long position) {
        return slotOffset(position) + SLOT_PAYLOAD_OFFSET;
    }

    /** Publishes the message claimed at {@code position}, waking the consumer if it announced a sleep. */
    public void commit(long position) {
        publish(position);
        notifyConsumer();
    }

    /**
     * Publishes the message claimed at {@code position} without looking whether the consumer sleeps. A producer
     * posting a batch (the events of one vector) publishes each and calls {@link #notifyConsumer()} once after the
     * last, so the store-load fence of the sleep check is paid once per batch instead of once per message.
     */
    public void publish(long position) {
        // Release pairs with the consumer's acquire in drain: the payload is visible before the sequence says so.
        LONG.setRelease(region, slotOffset(position) + SLOT_SEQUENCE_OFFSET, position + 1);
    }

    /**
     * Wakes the consumer if it announced a sleep; only the first producer to see the announcement rings. Call it
     * after {@link #publish} (and once per batch at least), or the consumer may sleep on published messages.
     */
    public void notifyConsumer() {
        if (wakeupsEnabled) {
            wakeConsumerIfSleeping();
        }
    }

    /**
     * Copies a message of at most {@link #payloadSize()} bytes into the next slot and publishes it.
     *
     * @return false when the queue is full (nothing was written)
     */
    public boolean offer(MemorySegment source, long sourceOffset, int length) {
        if (length < 0 || length > payloadSize()) {
            throw new IllegalArgumentException("message of " + length + " bytes, payload size " + payloadSize());
        }
        long position = tryClaim();
        if (position == FULL) {
            return false;
        }
        MemorySegment.copy(source, sourceOffset, region, payloadOffset(position), length);
        commit(position);
        return true;
    }

    private void wakeConsumerIfSleeping() {
        // Store-load: our sequence store must be visible before we read the flag, and the consumer stores the flag
        // before it re-reads the sequence. So either it sees our message, or we see it sleeping.
        VarHandle.fullFence();
        if ((int) INT.getVolatile(region, (long) CONSUMER_SLEEPING_OFFSET) != 0
                && INT.compareAndSet(region, (long) CONSUMER_SLEEPING_OFFSET, 1, 0)) {
            LONG.getAndAdd(region, (long) WAKEUP_COUNT_OFFSET, 1L);
            doorbell.ring();
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Consumer
    // ---------------------------------------------------------------------------------------------------------

    /**
     * Hands up to {@code limit} published messages to {@code handler}, in order, freeing each slot after its call.
     *
     * @return how many messages were handled
     */
    public int drain(MessageHandler handler, int limit) {
        long head = consumer.position;
        int handled = 0;
        while (handled < limit) {
            long slot = slotOffset(head);
            if (!isPublished(slot, head)) {
                break;
            }
            handler.onMessage(region, slot + SLOT_PAYLOAD_OFFSET, payloadSize());
            head++;
            handled++;
            if ((handled & (HEAD_PUBLISH_INTERVAL - 1)) == 0) {
                publishHead(head);
            }
        }
        if (handled > 0) {
            publishHead(head);
        }
        return handled;
    }

    /**
     * Frees every slot before {@code head} for the producers. Release pairs with the producers' acquire in
     * {@link #tryClaim}: the payloads were read before the slots can be reused. The consumer never writes the slots
     * themselves, so a message costs one cache-line transfer (producer to consumer) and the head line moves once
     * per batch.
     */
    private void publishHead(long head) {
        consumer.position = head;
        LONG.setRelease(region, (long) HEAD_OFFSET, head);
    }

    /** Consumer: whether no published message waits at the head. */
    public boolean isEmpty() {
        long head = consumer.position;
        return !isPublished(slotOffset(head), head);
    }

    private boolean isPublished(long slot, long head) {
        // Acquire pairs with the producer's release in commit: the payload is visible.
        long sequence = (long) LONG.getAcquire(region, slot + SLOT_SEQUENCE_OFFSET);
        if (sequence == head + 1) {
            return true;
        }
        // Not yet published for this lap: the slot still holds a sequence from an earlier lap, or 0 if never used.
        long lapsBehind = head + 1 - sequence;
        boolean earlierLap = lapsBehind >= slotCount && (lapsBehind & mask) == 0;
        if (!earlierLap && !(sequence == 0 && head < slotCount)) {
            throw corrupted("slot sequence " + sequence + " at head " + head + " is in no valid state");
        }
        return false;
    }

    /**
     * Consumer: announces that it is about to wait on the doorbell, then looks at the queue once more.
     *
     * @return true if the consumer may now wait; false if a message arrived (the announcement is withdrawn)
     */
    public boolean prepareToSleep() {
        INT.setVolatile(region, (long) CONSUMER_SLEEPING_OFFSET, 1);
        // Store-load: the flag store must be visible before we read the slot (the producers' side of the pair has
        // the same fence). A volatile store is not ordered before a later acquire load by itself.
        VarHandle.fullFence();
        if (!isEmpty()) {
            cancelSleep();
            return false;
        }
        return true;
    }

    /**
     * Consumer: withdraws a sleep announcement (after waking by timeout, or when it decided not to sleep). A
     * doorbell rung meanwhile leaves a count on the eventfd, which only makes the next wait return at once.
     */
    public void cancelSleep() {
        INT.setVolatile(region, (long) CONSUMER_SLEEPING_OFFSET, 0);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Gauges and counters
    // ---------------------------------------------------------------------------------------------------------

    /** Messages claimed but not yet consumed, as seen from any party (a gauge, racy by nature). */
    public long size() {
        long tail = (long) LONG.getVolatile(region, (long) TAIL_OFFSET);
        long head = (long) LONG.getVolatile(region, (long) HEAD_OFFSET);
        return Math.max(0, Math.min(slotCount, tail - head));
    }

    /** Times a producer found the queue full. */
    public long fullCount() {
        return (long) LONG.getVolatile(region, (long) FULL_COUNT_OFFSET);
    }

    /** Times a producer rang the doorbell. */
    public long wakeupCount() {
        return (long) LONG.getVolatile(region, (long) WAKEUP_COUNT_OFFSET);
    }

    private SharedMemoryCorruptedException corrupted(String what) {
        return new SharedMemoryCorruptedException("queue at 0x" + Long.toHexString(region.address()) + ": " + what);
    }

    @Override
    public String toString() {
        return "MessageQueue[slots=" + slotCount + " x " + slotSize + "B, size=" + size() + "]";
    }
}
