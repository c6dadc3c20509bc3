package io.sluice.core.wire;

import static io.sluice.core.wire.NetOrder.setU16;
import static io.sluice.core.wire.NetOrder.setU32;
import static io.sluice.core.wire.NetOrder.setU8;
import static io.sluice.core.wire.NetOrder.u16;
import static io.sluice.core.wire.NetOrder.u32;
import static io.sluice.core.wire.NetOrder.u8;

import java.lang.foreign.MemorySegment;

/**
 * TCP options: a parser that fills this reusable holder, and emitters for the options a segment carries.
 * <pre>
 * kind 0  End of Option List        1 byte             RFC 9293 §3.2
 * kind 1  No-Operation              1 byte             RFC 9293 §3.2
 * kind 2  Maximum Segment Size      4: 2 4 mss(16)      RFC 9293 §3.2, §3.7.1
 * kind 3  Window Scale              3: 3 3 shift        RFC 7323 §2
 * kind 4  SACK-Permitted            2: 4 2              RFC 2018 §2
 * kind 5  SACK                      2+8n: 5 len (left right)×n, n = 1..4   RFC 2018 §3
 * kind 8  Timestamps                10: 8 10 TSval TSecr                  RFC 7323 §3
 * </pre>
 *
 * <h2>Parsing</h2>
 * One holder per worker, reused for every segment: {@link #parse} resets it and fills it, allocating nothing,
 * never throwing on packet contents and never reading outside the options area it is given. Rules, per RFC:
 * <ul>
 *   <li>End of Option List ends parsing; what follows is padding (RFC 9293 §3.2).</li>
 *   <li>Every other kind has a length byte counting kind and length. A kind in the last byte (no room for its
 *       length) or a length running past the area is {@link WireError#TCP_OPTION_TRUNCATED}; a length of 0 or 1 is
 *       {@link WireError#TCP_OPTION_BAD_LENGTH}. RFC 9293 §3.2 requires an implementation to be prepared for an
 *       illegal length and suggests resetting the connection; the segment is dropped instead, because a reset
 *       triggered by an unauthenticated, malformed segment is a lever for an attacker, while a genuinely broken
 *       peer only loses a segment.</li>
 *   <li>Unknown kinds are skipped by their length (RFC 9293 §3.2: ignored without error).</li>
 *   <li>A known kind with a length other than its RFC's is {@link WireError#TCP_OPTION_WRONG_LENGTH}: the fields
 *       cannot be read with confidence.</li>
 *   <li>A known kind twice in one segment is {@link WireError#TCP_OPTION_DUPLICATE}. No RFC allows it, no
 *       conforming sender does it, and picking one of two values (as stacks do, differently) is how middlebox
 *       and endpoint views of a connection are made to diverge.</li>
 *   <li>MSS, Window Scale and SACK-Permitted mean something only on a SYN; elsewhere they are skipped like
 *       unknown kinds (RFC 7323 §2.2: a Window Scale option without SYN is ignored; RFC 9293 §3.7.1 and RFC 2018
 *       §2 send the others only on SYNs).</li>
 *   <li>A window scale shift above 14 is used as 14 (RFC 7323 §2.3: the error should be logged, 14 used);
 *       {@link #windowShiftCapped()} tells the caller to count it.</li>
 * </ul>
 *
 * <h2>Emitting</h2>
 * {@link #emitSyn} and {@link #emitSegment} write the options at the options offset of a header being built and
 * return their length, a multiple of 4, ready for {@link Tcp#emit}. The 4-byte fields are kept 4-byte aligned
 * within the header by NOP padding, the layout RFC 7323 Appendix A suggests for timestamps.
 */
public final class TcpOptions {

    /** Option kind: End of Option List. */
    public static final int KIND_END = 0;
    /** Option kind: No-Operation. */
    public static final int KIND_NOP = 1;
    /** Option kind: Maximum Segment Size. */
    public static final int KIND_MSS = 2;
    /** Option kind: Window Scale. */
    public static final int KIND_WINDOW_SCALE = 3;
    /** Option kind: SACK-Permitted. */
    public static final int KIND_SACK_PERMITTED = 4;
    /** Option kind: SACK. */
    public static final int KIND_SACK = 5;
    /** Option kind: Timestamps. */
    public static final int KIND_TIMESTAMPS = 8;

    /** Length of the MSS option. */
    public static final int MSS_LENGTH = 4;
    /** Length of the Window Scale option. */
    public static final int WINDOW_SCALE_LENGTH = 3;
    /** Length of the SACK-Permitted option. */
    public static final int SACK_PERMITTED_LENGTH = 2;
    /** Length of the Timestamps option. */
    public static final int TIMESTAMPS_LENGTH = 10;
    /** Bytes of one SACK block: left and right edge. */
    public static final int SACK_BLOCK_LENGTH = 8;
    /** Most SACK blocks an option carries (2 + 4 × 8 = 34 of the 40 bytes; RFC 2018 §3). */
    public static final int MAX_SACK_BLOCKS = 4;
    /** Largest window scale shift (RFC 7323 §2.3): windows stay below 2^30, half the sequence space. */
    public static final int MAX_WINDOW_SHIFT = 14;
    /** The send MSS to assume when a SYN carried no MSS option (RFC 9293 §3.7.1; RFC 1122 §4.2.2.6). */
    public static final int DEFAULT_MSS = 536;
    /** Passed as the shift to {@link #emitSyn} to send no Window Scale option. */
    public static final int NO_WINDOW_SCALE = -1;

    private static final int HAS_MSS = 1;
    private static final int HAS_WINDOW_SCALE = 1 << 1;
    private static final int HAS_SACK_PERMITTED = 1 << 2;
    private static final int HAS_SACK = 1 << 3;
    private static final int HAS_TIMESTAMPS = 1 << 4;

    private int present;
    private int mss;
    private int windowShift;
    private boolean windowShiftCapped;
    private int timestampValue;
    private int timestampEcho;
    private int sackBlocks;
    private final int[] sackEdges = new int[2 * MAX_SACK_BLOCKS];

    /** An empty holder; one per worker, reused for every segment. */
    public TcpOptions() {}

    /** Forgets the last segment's options. */
    public void reset() {
        present = 0;
        mss = 0;
        windowShift = 0;
        windowShiftCapped = false;
        timestampValue = 0;
        timestampEcho = 0;
        sackBlocks = 0;
    }

    /**
     * Parses the options of a segment whose header passed {@link Tcp#check} at {@code tcpOff}: the area between
     * the fixed header and the data offset, with SYN taken from the header.
     *
     * @return {@link WireError#OK} or a {@code TCP_OPTION_*} code
     */
    public int parseSegment(MemorySegment mem, long tcpOff) {
        return parse(mem, tcpOff + Tcp.OPTIONS, Tcp.optionsLength(mem, tcpOff),
                (Tcp.flags(mem, tcpOff) & Tcp.SYN) != 0);
    }

    /**
     * Resets this holder and parses the {@code length} bytes of options at {@code off} (see the class comment for
     * the rules). {@code syn}: whether the segment has SYN set. Reads nothing outside {@code [off, off + length)}.
     * On an error the holder keeps what was parsed before it; the caller drops the segment anyway.
     *
     * @return {@link WireError#OK} or a {@code TCP_OPTION_*} code
     */
    public int parse(MemorySegment mem, long off, int length, boolean syn) {
        reset();
        int at = 0;
        while (at < length) {
            int kind = u8(mem, off + at);
            if (kind == KIND_END) {
                return WireError.OK;
            }
            if (kind == KIND_NOP) {
                at++;
                continue;
            }
            if (at + 1 >= length) {
                return WireError.TCP_OPTION_TRUNCATED;
            }
            int optionLength = u8(mem, off + at + 1);
            if (optionLength < 2) {
                return WireError.TCP_OPTION_BAD_LENGTH;
            }
            if (optionLength > length - at) {
                return WireError.TCP_OPTION_TRUNCATED;
            }
            int result = parseOne(mem, off + at, kind, optionLength, syn);
            if (result != WireError.OK) {
                return result;
            }
            at += optionLength;
        }
        return WireError.OK;
    }

    /** One option of a known length that lies within the area. */
    private int parseOne(MemorySegment mem, long at, int kind, int length, boolean syn) {
        switch (kind) {
            case KIND_MSS -> {
                if (!syn) {
                    return WireError.OK;
                }
                int result = claim(HAS_MSS, length == MSS_LENGTH);
                if (result == WireError.OK) {
                    mss = u16(mem, at + 2);
                }
                return result;
            }
            case KIND_WINDOW_SCALE -> {
                if (!syn) {
                    return WireError.OK;
                }
                int result = claim(HAS_WINDOW_SCALE, length == WINDOW_SCALE_LENGTH);
                if (result == WireError.OK) {
                    int shift = u8(mem, at + 2);
                    windowShiftCapped = shift > MAX_WINDOW_SHIFT;
                    windowShift = Math.min(shift, MAX_WINDOW_SHIFT);
                }
                return result;
            }
            case KIND_SACK_PERMITTED -> {
                return syn ? claim(HAS_SACK_PERMITTED, length == SACK_PERMITTED_LENGTH) : WireError.OK;
            }
            case KIND_SACK -> {
                int blocks = (length - 2) / SACK_BLOCK_LENGTH;
                boolean rightLength = blocks >= 1 && blocks <= MAX_SACK_BLOCKS
                        && length == 2 + blocks * SACK_BLOCK_LENGTH;
                int result = claim(HAS_SACK, rightLength);
                if (result == WireError.OK) {
                    sackBlocks = blocks;
                    for (int i = 0; i < 2 * blocks; i++) {
                        sackEdges[i] = u32(mem, at + 2 + 4L * i);
                    }
                }
                return result;
            }
            case KIND_TIMESTAMPS -> {
                int result = claim(HAS_TIMESTAMPS, length == TIMESTAMPS_LENGTH);
                if (result == WireError.OK) {
                    timestampValue = u32(mem, at + 2);
                    timestampEcho = u32(mem, at + 6);
                }
                return result;
            }
            default -> {
                return WireError.OK;
            }
        }
    }

    private int claim(int bit, boolean rightLength) {
        if (!rightLength) {
            return WireError.TCP_OPTION_WRONG_LENGTH;
        }
        if ((present & bit) != 0) {
            return WireError.TCP_OPTION_DUPLICATE;
        }
        present |= bit;
        return WireError.OK;
    }

    /** Whether a SYN carried an MSS option. */
    public boolean hasMss() {
        return (present & HAS_MSS) != 0;
    }

    /** The MSS a SYN announced (valid with {@link #hasMss()}). */
    public int mss() {
        return mss;
    }

    /** Whether a SYN carried a Window Scale option. */
    public boolean hasWindowScale() {
        return (present & HAS_WINDOW_SCALE) != 0;
    }

    /** The window shift a SYN announced, at most 14 (valid with {@link #hasWindowScale()}). */
    public int windowShift() {
        return windowShift;
    }

    /** Whether the announced shift was above 14 and is used as 14 (RFC 7323 §2.3: to be counted, or logged). */
    public boolean windowShiftCapped() {
        return windowShiftCapped;
    }

    /** Whether a SYN carried SACK-Permitted. */
    public boolean sackPermitted() {
        return (present & HAS_SACK_PERMITTED) != 0;
    }

    /** Whether the segment carried Timestamps. */
    public boolean hasTimestamps() {
        return (present & HAS_TIMESTAMPS) != 0;
    }

    /** TSval (valid with {@link #hasTimestamps()}). */
    public int timestampValue() {
        return timestampValue;
    }

    /** TSecr (valid with {@link #hasTimestamps()}; meaningful only on a segment with ACK, RFC 7323 §3.2). */
    public int timestampEcho() {
        return timestampEcho;
    }

    /** Number of SACK blocks, 0 when none. */
    public int sackBlocks() {
        return sackBlocks;
    }

    /** Left edge of SACK block {@code i < sackBlocks()}: its first sequence number. */
    public int sackLeft(int i) {
        return sackEdges[2 * i];
    }

    /** Right edge of SACK block {@code i < sackBlocks()}: the sequence number just after the block. */
    public int sackRight(int i) {
        return sackEdges[2 * i + 1];
    }

    /**
     * Writes the options of a SYN or SYN-ACK at {@code off} and returns their length (4 to 20, a multiple of 4):
     * MSS; then SACK-Permitted and Timestamps sharing a word, or either one behind two NOPs; then Window Scale
     * behind one NOP. A SYN-ACK offers only what the SYN offered (RFC 7323 §2.2, §3.2; RFC 2018 §2), so the
     * caller passes the agreed set; its TSecr echoes the SYN's TSval, a SYN's is 0.
     *
     * @param windowShift 0..14, or {@link #NO_WINDOW_SCALE}; above 14 is sent as 14
     */
    public static int emitSyn(MemorySegment mem, long off, int mss, int windowShift, boolean sackPermitted,
            boolean timestamps, int timestampValue, int timestampEcho) {
        setU8(mem, off, KIND_MSS);
        setU8(mem, off + 1, MSS_LENGTH);
        setU16(mem, off + 2, mss);
        int at = MSS_LENGTH;
        if (timestamps) {
            if (sackPermitted) {
                setU8(mem, off + at, KIND_SACK_PERMITTED);
                setU8(mem, off + at + 1, SACK_PERMITTED_LENGTH);
            } else {
                setU16(mem, off + at, KIND_NOP << 8 | KIND_NOP);
            }
            at += 2;
            at += writeTimestamps(mem, off + at, timestampValue, timestampEcho);
        } else if (sackPermitted) {
            setU16(mem, off + at, KIND_NOP << 8 | KIND_NOP);
            setU8(mem, off + at + 2, KIND_SACK_PERMITTED);
            setU8(mem, off + at + 3, SACK_PERMITTED_LENGTH);
            at += 4;
        }
        if (windowShift != NO_WINDOW_SCALE) {
            setU8(mem, off + at, KIND_NOP);
            setU8(mem, off + at + 1, KIND_WINDOW_SCALE);
            setU8(mem, off + at + 2, WINDOW_SCALE_LENGTH);
            setU8(mem, off + at + 3, Math.min(windowShift, MAX_WINDOW_SHIFT));
            at += 4;
        }
        return at;
    }

    /**
     * Writes the options of a segment after the handshake at {@code off} and returns their length (0 to 40, a
     * multiple of 4): Timestamps behind two NOPs if {@code timestamps} (RFC 7323 §3.2: on every segment once
     * agreed), then up to {@code sackBlocks} SACK blocks behind two NOPs, as many as fit — 3 beside Timestamps,
     * otherwise 4 (RFC 2018 §3). {@code sackEdges} holds left and right edge of each block in turn, the most
     * recently changed block first (RFC 2018 §4).
     */
    public static int emitSegment(MemorySegment mem, long off, boolean timestamps, int timestampValue,
            int timestampEcho, int[] sackEdges, int sackBlocks) {
        int at = 0;
        int room = MAX_SACK_BLOCKS;
        if (timestamps) {
            setU16(mem, off, KIND_NOP << 8 | KIND_NOP);
            at = 2 + writeTimestamps(mem, off + 2, timestampValue, timestampEcho);
            room = MAX_SACK_BLOCKS - 1;
        }
        int blocks = Math.min(sackBlocks, room);
        if (blocks > 0) {
            setU16(mem, off + at, KIND_NOP << 8 | KIND_NOP);
            setU8(mem, off + at + 2, KIND_SACK);
            setU8(mem, off + at + 3, 2 + blocks * SACK_BLOCK_LENGTH);
            at += 4;
            for (int i = 0; i < 2 * blocks; i++) {
                setU32(mem, off + at, sackEdges[i]);
                at += 4;
            }
        }
        return at;
    }

    private static int writeTimestamps(MemorySegment mem, long off, int timestampValue, int timestampEcho) {
        setU8(mem, off, KIND_TIMESTAMPS);
        setU8(mem, off + 1, TIMESTAMPS_LENGTH);
        setU32(mem, off + 2, timestampValue);
        setU32(mem, off + 6, timestampEcho);
        return TIMESTAMPS_LENGTH;
    }
}
