package io.sluice.core.buffer;

/**
 * The layout of one packet buffer in the pool's region, and of the metadata in its first cache line.
 *
 * <p>Buffer {@code i} starts at byte {@code i * stride} of the region. The stride is an odd number of
 * 64-byte cache lines (see {@link BufferPoolConfig#stride()}):
 *
 * <pre>
 *   i * stride
 *   |
 *   +----------------+----------------------+------------------------------+-----------------+
 *   | metadata       | headroom             | data                         | pad to an odd   |
 *   | HEADER_SIZE=64 | headroom bytes       | dataSize bytes               | number of lines |
 *   +----------------+----------------------+------------------------------+-----------------+
 *                    ^                      ^                              ^
 *                    currentData=-headroom  currentData=0 (fresh buffer)   currentData+currentLength
 *                    (fully prepended)                                     may reach dataSize
 * </pre>
 *
 * <p>The metadata, every field an {@code int} in native byte order at a 4-byte aligned offset:
 *
 * <pre>
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +---------------------------------------------------------------+
 *   |                         flags                                 |  0  FLAGS_OFFSET
 *   +---------------------------------------------------------------+
 *   |          current data (signed, relative to the data start)    |  4  CURRENT_DATA_OFFSET
 *   +---------------------------------------------------------------+
 *   |                      current length                           |  8  CURRENT_LENGTH_OFFSET
 *   +---------------------------------------------------------------+
 *   |            next buffer index (valid iff NEXT_PRESENT)         | 12  NEXT_BUFFER_OFFSET
 *   +---------------------------------------------------------------+
 *   |  total length not including the first buffer                 | 16  TOTAL_LENGTH_OFFSET
 *   |  (valid iff TOTAL_LENGTH_VALID, meaningful on a chain's head) |
 *   +---------------------------------------------------------------+
 *   |                      reference count                          | 20  REF_COUNT_OFFSET
 *   +---------------------------------------------------------------+
 *   |                   rx interface index                          | 24  RX_INTERFACE_OFFSET
 *   +---------------------------------------------------------------+
 *   |                   tx interface index                          | 28  TX_INTERFACE_OFFSET
 *   +---------------------------------------------------------------+
 *   |   pool state: STATE_FREE or STATE_ALLOCATED (owned by the pool)| 32  STATE_OFFSET
 *   +---------------------------------------------------------------+
 *   |                       reserved                                | 36  RESERVED_OFFSET
 *   +---------------------------------------------------------------+
 *   |                                                               | 40  OPAQUE_OFFSET
 *   |            opaque: OPAQUE_SIZE = 24 bytes for graph nodes     |
 *   |                                                               |
 *   +---------------------------------------------------------------+ 64  HEADER_SIZE
 * </pre>
 *
 * <p>Nothing here is shared between threads without a hand-off: a buffer belongs to one worker at a
 * time, and whoever passes a buffer index to another thread must do so through a structure that
 * orders memory (a queue, the pool's shared free list), so plain reads and writes are enough.
 */
public final class BufferLayout {

    /** Size of a cache line, the unit of the stride. */
    public static final int CACHE_LINE_SIZE = 64;

    /** Size of the metadata: one cache line. */
    public static final int HEADER_SIZE = CACHE_LINE_SIZE;

    /** Offset of the flags word ({@link #FLAG_NEXT_PRESENT}, {@link #FLAG_TOTAL_LENGTH_VALID}...). */
    public static final int FLAGS_OFFSET = 0;

    /**
     * Offset of the start of valid data, relative to the start of the data area: negative when headers
     * were prepended into the headroom, positive when headers were stripped.
     */
    public static final int CURRENT_DATA_OFFSET = 4;

    /** Offset of the number of valid bytes in this buffer (not in the chain). */
    public static final int CURRENT_LENGTH_OFFSET = 8;

    /** Offset of the index of the next buffer of the chain, meaningful only with {@link #FLAG_NEXT_PRESENT}. */
    public static final int NEXT_BUFFER_OFFSET = 12;

    /** Offset of the chain's length not counting the head buffer, meaningful only on a head with
     * {@link #FLAG_TOTAL_LENGTH_VALID}. */
    public static final int TOTAL_LENGTH_OFFSET = 16;

    /** Offset of the reference count: 1 on allocation; reserved for cloning. */
    public static final int REF_COUNT_OFFSET = 20;

    /** Offset of the index of the interface the packet arrived on. */
    public static final int RX_INTERFACE_OFFSET = 24;

    /** Offset of the index of the interface the packet leaves by. */
    public static final int TX_INTERFACE_OFFSET = 28;

    /** Offset of the pool's own FREE/ALLOCATED word, used to reject double frees. Not for graph nodes. */
    public static final int STATE_OFFSET = 32;

    /** Offset of a reserved word, zero on allocation. */
    public static final int RESERVED_OFFSET = 36;

    /** Offset of the opaque area graph nodes use to pass per-packet values to later nodes. */
    public static final int OPAQUE_OFFSET = 40;

    /** Size of the opaque area. */
    public static final int OPAQUE_SIZE = HEADER_SIZE - OPAQUE_OFFSET;

    /** Flag: {@link #NEXT_BUFFER_OFFSET} holds the index of the next buffer of the chain. */
    public static final int FLAG_NEXT_PRESENT = 1;

    /** Flag: {@link #TOTAL_LENGTH_OFFSET} holds the length of the rest of the chain. */
    public static final int FLAG_TOTAL_LENGTH_VALID = 1 << 1;

    /**
     * Flag: the IPv4 packet's TCP checksum field holds only the pseudo-header sum (a "partial" checksum, as a NIC
     * with checksum offload expects it); interface-output completes it unless the device offloads checksums.
     */
    public static final int FLAG_L4_CHECKSUM_PARTIAL = 1 << 2;

    /**
     * Flag: the device (or local delivery) vouches for the frame's TCP checksum, so receive nodes need not verify
     * it (checksum offload on receive).
     */
    public static final int FLAG_L4_CHECKSUM_VERIFIED = 1 << 3;

    /** First flag bit not used by the pool; higher bits are free for the graph. */
    public static final int FLAG_FIRST_USER_BIT = 1 << 8;

    /** {@link #STATE_OFFSET} value of a buffer in a cache or in the shared free list. */
    public static final int STATE_FREE = 0x46524545;

    /** {@link #STATE_OFFSET} value of a buffer handed out by a cache. */
    public static final int STATE_ALLOCATED = 0x414c4c43;

    private BufferLayout() {
    }
}
