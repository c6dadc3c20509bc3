package io.sluice.core.tcp.conn;

import io.sluice.core.wire.Tcp;
import io.sluice.core.wire.TcpOptions;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A {@link SegmentWriter} for tests: a preallocated FIFO of emitted segments (header fields, option bytes and a
 * copy of the payload peeked from the send buffer). {@link #take} hands one out as a {@link Seg} for assertions;
 * {@link #deliver} feeds one to another connection without allocating, for wiring connections back to back.
 */
final class SegmentLog implements SegmentWriter {

    /** One captured segment. */
    record Seg(int flags, int seq, int ack, int window, byte[] options, byte[] payload) {

        /** The options parsed as the receiver would. */
        TcpOptions parsedOptions() {
            TcpOptions parsed = new TcpOptions();
            parsed.parse(MemorySegment.ofArray(options), 0, options.length, (flags & Tcp.SYN) != 0);
            return parsed;
        }
    }

    static final int MAX_PAYLOAD = 4096;

    private final int capacity;
    private final int[] flags;
    private final int[] seqs;
    private final int[] acks;
    private final int[] windows;
    private final int[] optionLengths;
    private final int[] payloadLengths;
    private final MemorySegment optionBytes;
    private final MemorySegment payloadBytes;
    private long head;
    private long tail;

    SegmentLog(int capacity) {
        this.capacity = capacity;
        flags = new int[capacity];
        seqs = new int[capacity];
        acks = new int[capacity];
        windows = new int[capacity];
        optionLengths = new int[capacity];
        payloadLengths = new int[capacity];
        optionBytes = MemorySegment.ofArray(new byte[capacity * Tcp.MAX_OPTIONS_LENGTH]);
        payloadBytes = MemorySegment.ofArray(new byte[capacity * MAX_PAYLOAD]);
    }

    @Override
    public void send(TcpConnection connection, int segmentFlags, int seq, int ack, int window, MemorySegment options,
            int optionsLength, int payloadOffset, int payloadLength) {
        if (tail - head == capacity) {
            throw new IllegalStateException("segment log full (" + capacity + ")");
        }
        if (payloadLength > MAX_PAYLOAD) {
            throw new IllegalStateException("payload " + payloadLength + " above " + MAX_PAYLOAD);
        }
        int slot = (int) (tail % capacity);
        flags[slot] = segmentFlags;
        seqs[slot] = seq;
        acks[slot] = ack;
        windows[slot] = window;
        optionLengths[slot] = optionsLength;
        MemorySegment.copy(options, 0, optionBytes, (long) slot * Tcp.MAX_OPTIONS_LENGTH, optionsLength);
        int copied = connection.sendBuffer().peek(payloadOffset, payloadBytes, (long) slot * MAX_PAYLOAD,
                payloadLength);
        if (copied != payloadLength) {
            throw new IllegalStateException("send buffer held " + copied + " of " + payloadLength + " bytes at "
                    + payloadOffset);
        }
        payloadLengths[slot] = payloadLength;
        tail++;
    }

    /** Segments waiting. */
    int size() {
        return (int) (tail - head);
    }

    /** Forgets every waiting segment. */
    void clear() {
        head = tail;
    }

    /** Removes and returns the oldest segment; fails if there is none. */
    Seg take() {
        if (head == tail) {
            throw new AssertionError("no segment was sent");
        }
        int slot = (int) (head++ % capacity);
        byte[] opts = optionBytes.asSlice((long) slot * Tcp.MAX_OPTIONS_LENGTH, optionLengths[slot])
                .toArray(ValueLayout.JAVA_BYTE);
        byte[] payload = payloadBytes.asSlice((long) slot * MAX_PAYLOAD, payloadLengths[slot])
                .toArray(ValueLayout.JAVA_BYTE);
        return new Seg(flags[slot], seqs[slot], acks[slot], windows[slot], opts, payload);
    }

    /** Flags of the oldest waiting segment. */
    int peekFlags() {
        return flags[(int) (head % capacity)];
    }

    /** Removes the oldest segment without delivering it (a loss). */
    void dropNext() {
        head++;
    }

    /** Removes the newest segment without delivering it (a loss at the tail of a flight). */
    void dropLast() {
        tail--;
    }

    /** Removes the oldest segment and hands it to {@code receiver}, parsing its options into {@code scratch}. */
    void deliver(TcpConnection receiver, long now, TcpOptions scratch) {
        deliverCopy(receiver, now, scratch);
        head++;
    }

    /** Hands the oldest segment to {@code receiver} and keeps it (so it can arrive twice: a duplicate). */
    void deliverCopy(TcpConnection receiver, long now, TcpOptions scratch) {
        deliverSlot((int) (head % capacity), receiver, now, scratch);
    }

    /** Removes the two oldest segments and hands them to {@code receiver} the other way round (reordering). */
    void deliverSwapped(TcpConnection receiver, long now, TcpOptions scratch) {
        deliverSlot((int) ((head + 1) % capacity), receiver, now, scratch);
        deliverSlot((int) (head % capacity), receiver, now, scratch);
        head += 2;
    }

    private void deliverSlot(int slot, TcpConnection receiver, long now, TcpOptions scratch) {
        scratch.parse(optionBytes, (long) slot * Tcp.MAX_OPTIONS_LENGTH, optionLengths[slot],
                (flags[slot] & Tcp.SYN) != 0);
        receiver.onSegment(now, flags[slot], seqs[slot], acks[slot], windows[slot], scratch, payloadBytes,
                (long) slot * MAX_PAYLOAD, payloadLengths[slot]);
    }
}
