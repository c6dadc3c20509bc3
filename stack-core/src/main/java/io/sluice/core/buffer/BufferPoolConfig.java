package io.sluice.core.buffer;

/**
 * The sizes of a {@link BufferPool}, checked on construction.
 *
 * @param bufferCount how many buffers the pool holds ({@code buffers { buffers-per-numa N }}), at least 1 and
 *     at most {@link #MAX_BUFFER_COUNT}, so every index fits in 31 bits and {@link BufferPool#NO_BUFFER} (-1)
 *     is never an index
 * @param dataSize bytes of packet data per buffer, 1 to {@link #MAX_DATA_SIZE}
 * @param headroom bytes before the data for prepending headers, a multiple of 64 (so the data starts on a cache
 *     line) from 0 to {@link #MAX_HEADROOM}
 * @param cacheSize how many free indices each worker's {@link BufferCache} holds, 2 to {@link #MAX_CACHE_SIZE};
 *     refills and flushes move half of it at a time
 */
public record BufferPoolConfig(int bufferCount, int dataSize, int headroom, int cacheSize) {

    /** Default bytes of data per buffer. */
    public static final int DEFAULT_DATA_SIZE = 2048;

    /** Default headroom: room for a virtio-net header plus tunnel encapsulations. */
    public static final int DEFAULT_HEADROOM = 128;

    /** Default number of buffers, as VPP's {@code buffers-per-numa}. */
    public static final int DEFAULT_BUFFER_COUNT = 16384;

    /** Default per-worker cache size. */
    public static final int DEFAULT_CACHE_SIZE = 512;

    /** Largest buffer count: indices stay non-negative ints and the free list one Java array. */
    public static final int MAX_BUFFER_COUNT = 1 << 30;

    /** Largest data size: 1 MiB, far above a 64 KiB segmentation offload, so offsets never overflow an int. */
    public static final int MAX_DATA_SIZE = 1 << 20;

    /** Largest headroom. */
    public static final int MAX_HEADROOM = 1 << 15;

    /** Largest per-worker cache. */
    public static final int MAX_CACHE_SIZE = 1 << 16;

    /** Largest region: 1 TiB. */
    public static final long MAX_REGION_SIZE = 1L << 40;

    /** Checks every size and that the region fits; the messages carry the numbers. */
    public BufferPoolConfig {
        if (bufferCount < 1 || bufferCount > MAX_BUFFER_COUNT) {
            throw new IllegalArgumentException(
                    "bufferCount must be between 1 and " + MAX_BUFFER_COUNT + ", got " + bufferCount);
        }
        if (dataSize < 1 || dataSize > MAX_DATA_SIZE) {
            throw new IllegalArgumentException(
                    "dataSize must be between 1 and " + MAX_DATA_SIZE + ", got " + dataSize);
        }
        if (headroom < 0 || headroom > MAX_HEADROOM || headroom % BufferLayout.CACHE_LINE_SIZE != 0) {
            throw new IllegalArgumentException("headroom must be a multiple of " + BufferLayout.CACHE_LINE_SIZE
                    + " between 0 and " + MAX_HEADROOM + ", got " + headroom);
        }
        if (cacheSize < 2 || cacheSize > MAX_CACHE_SIZE) {
            throw new IllegalArgumentException(
                    "cacheSize must be between 2 and " + MAX_CACHE_SIZE + ", got " + cacheSize);
        }
        long stride = strideOf(dataSize, headroom);
        long region = stride * bufferCount;
        if (region > MAX_REGION_SIZE) {
            throw new IllegalArgumentException("region of " + bufferCount + " buffers x " + stride + " bytes = "
                    + region + " bytes exceeds the maximum of " + MAX_REGION_SIZE + " bytes");
        }
    }

    /** The defaults: 16384 buffers of 2048 data bytes, 128 bytes of headroom, caches of 512. */
    public static BufferPoolConfig defaults() {
        return new BufferPoolConfig(DEFAULT_BUFFER_COUNT, DEFAULT_DATA_SIZE, DEFAULT_HEADROOM, DEFAULT_CACHE_SIZE);
    }

    /** The same config with another buffer count. */
    public BufferPoolConfig withBufferCount(int count) {
        return new BufferPoolConfig(count, dataSize, headroom, cacheSize);
    }

    /** The same config with another data size. */
    public BufferPoolConfig withDataSize(int size) {
        return new BufferPoolConfig(bufferCount, size, headroom, cacheSize);
    }

    /** The same config with another headroom. */
    public BufferPoolConfig withHeadroom(int bytes) {
        return new BufferPoolConfig(bufferCount, dataSize, bytes, cacheSize);
    }

    /** The same config with another per-worker cache size. */
    public BufferPoolConfig withCacheSize(int size) {
        return new BufferPoolConfig(bufferCount, dataSize, headroom, size);
    }

    /**
     * Bytes from one buffer to the next: header, headroom and data rounded up to whole cache lines, plus one
     * line when that count is even. With an odd stride consecutive buffers start in different cache sets, so
     * the hot metadata lines of a vector of buffers spread over all sets instead of half of them. The
     * defaults give 64 + 128 + 2048 = 2240 bytes = 35 lines.
     */
    public int stride() {
        return strideOf(dataSize, headroom);
    }

    /** Bytes of the whole region: {@code bufferCount * stride}. */
    public long regionSize() {
        return (long) bufferCount * stride();
    }

    private static int strideOf(int dataSize, int headroom) {
        int line = BufferLayout.CACHE_LINE_SIZE;
        int lines = (BufferLayout.HEADER_SIZE + headroom + dataSize + line - 1) / line;
        if ((lines & 1) == 0) {
            lines++;
        }
        return lines * line;
    }
}
