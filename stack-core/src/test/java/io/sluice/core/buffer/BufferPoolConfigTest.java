package io.sluice.core.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BufferPoolConfigTest {

    @Test
    void defaultStrideIsThirtyFiveLines() {
        BufferPoolConfig config = BufferPoolConfig.defaults();
        assertEquals(2240, config.stride());
        assertEquals(35, config.stride() / BufferLayout.CACHE_LINE_SIZE);
        assertEquals(16384L * 2240, config.regionSize());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 63, 64, 65, 128, 1500, 1856, 1920, 2048, 2049, 4096, 9000, 65536})
    void strideIsAnOddNumberOfLinesJustLargeEnough(int dataSize) {
        for (int headroom : new int[] {0, 64, 128, 256}) {
            BufferPoolConfig config = new BufferPoolConfig(8, dataSize, headroom, 4);
            int stride = config.stride();
            int needed = BufferLayout.HEADER_SIZE + headroom + dataSize;
            assertEquals(0, stride % BufferLayout.CACHE_LINE_SIZE, "whole lines");
            assertEquals(1, (stride / BufferLayout.CACHE_LINE_SIZE) % 2, "odd lines for " + dataSize + "/" + headroom);
            assertTrue(stride >= needed, "room for header, headroom and data");
            assertTrue(stride - needed < 2 * BufferLayout.CACHE_LINE_SIZE, "at most one line of padding plus rounding");
        }
    }

    @Test
    void evenLineCountGetsOnePaddingLine() {
        // 64 + 128 + 1856 = 2048 bytes = 32 lines, even: padded to 33.
        assertEquals(33 * 64, new BufferPoolConfig(1, 1856, 128, 2).stride());
        // 64 + 128 + 1920 = 2112 bytes = 33 lines, already odd.
        assertEquals(33 * 64, new BufferPoolConfig(1, 1920, 128, 2).stride());
    }

    @Test
    void rejectsBadSizesWithTheNumbers() {
        BufferPoolConfig d = BufferPoolConfig.defaults();
        assertMessage("got 0", () -> d.withBufferCount(0));
        assertMessage("got -5", () -> d.withBufferCount(-5));
        assertMessage("got " + (BufferPoolConfig.MAX_BUFFER_COUNT + 1),
                () -> d.withBufferCount(BufferPoolConfig.MAX_BUFFER_COUNT + 1));
        assertMessage("dataSize must be between 1 and 1048576, got 0", () -> d.withDataSize(0));
        assertMessage("got 1048577", () -> d.withDataSize(BufferPoolConfig.MAX_DATA_SIZE + 1));
        assertMessage("headroom must be a multiple of 64", () -> d.withHeadroom(100));
        assertMessage("got -64", () -> d.withHeadroom(-64));
        assertMessage("cacheSize must be between 2 and 65536, got 1", () -> d.withCacheSize(1));
        // 2^30 buffers of 1 MiB: far past 1 TiB.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new BufferPoolConfig(BufferPoolConfig.MAX_BUFFER_COUNT, BufferPoolConfig.MAX_DATA_SIZE, 0, 2));
        assertTrue(e.getMessage().contains("1073741824 buffers x 1048640 bytes"), e.getMessage());
        assertTrue(e.getMessage().contains("exceeds the maximum of 1099511627776"), e.getMessage());
    }

    @Test
    void largestRegionThatFitsIsAccepted() {
        // 1 TiB / 2240 bytes per buffer.
        int count = (int) (BufferPoolConfig.MAX_REGION_SIZE / 2240);
        assertEquals((long) count * 2240, BufferPoolConfig.defaults().withBufferCount(count).regionSize());
        assertThrows(IllegalArgumentException.class, () -> BufferPoolConfig.defaults().withBufferCount(count + 1));
    }

    private static void assertMessage(String expected, Runnable construct) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, construct::run);
        assertTrue(e.getMessage().contains(expected), () -> "'" + e.getMessage() + "' should contain '" + expected
                + "'");
    }
}
