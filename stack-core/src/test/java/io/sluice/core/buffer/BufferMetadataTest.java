package io.sluice.core.buffer;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BufferMetadataTest {

    private final BufferPool pool = BufferPool.create(new BufferPoolConfig(8, 2048, 128, 4));
    private final BufferCache cache = pool.newCache();

    @AfterEach
    void close() {
        pool.close();
    }

    @Test
    void freshBufferIsEmptyWithWholeHeadroom() {
        int b = cache.allocate();
        dirty(b);
        cache.free(b);
        // The cache hands the same (most recently freed) index back, with its metadata reset.
        assertEquals(b, cache.allocate());
        assertEquals(0, pool.flags(b));
        assertEquals(0, pool.currentData(b));
        assertEquals(0, pool.currentLength(b));
        assertEquals(BufferPool.NO_BUFFER, pool.nextBuffer(b));
        assertEquals(1, pool.refCount(b));
        assertEquals(BufferPool.NO_INTERFACE, pool.rxInterface(b));
        assertEquals(BufferPool.NO_INTERFACE, pool.txInterface(b));
        for (int k = 0; k < BufferLayout.OPAQUE_SIZE; k += 8) {
            assertEquals(0L, pool.memory().get(JAVA_LONG, pool.opaqueOffset(b) + k));
        }
        assertEquals(128, pool.prependSpace(b));
        assertEquals(2048, pool.appendSpace(b));
        assertEquals(pool.bufferOffset(b) + 64 + 128, pool.dataOffset(b));
        assertEquals(pool.memory().address() + pool.dataOffset(b), pool.dataAddress(b));
    }

    private void dirty(int b) {
        pool.setFlags(b, BufferLayout.FLAG_FIRST_USER_BIT | BufferLayout.FLAG_NEXT_PRESENT);
        pool.setCurrentLength(b, 100);
        pool.advance(b, 10);
        pool.setRefCount(b, 7);
        pool.setRxInterface(b, 3);
        pool.setTxInterface(b, 4);
        pool.memory().set(JAVA_LONG, pool.opaqueOffset(b) + 16, -1L);
    }

    @Test
    void fieldsRoundTrip() {
        int b = cache.allocate();
        dirty(b);
        assertEquals(BufferLayout.FLAG_FIRST_USER_BIT | BufferLayout.FLAG_NEXT_PRESENT, pool.flags(b));
        assertEquals(10, pool.currentData(b));
        assertEquals(90, pool.currentLength(b));
        assertEquals(7, pool.refCount(b));
        assertEquals(3, pool.rxInterface(b));
        assertEquals(4, pool.txInterface(b));
    }

    @Test
    void advanceStripsAndPrependsKeepingTheEnd() {
        int b = cache.allocate();
        pool.setCurrentLength(b, 1514);
        long end = pool.dataOffset(b) + pool.currentLength(b);
        pool.advance(b, 14);
        assertEquals(14, pool.currentData(b));
        assertEquals(1500, pool.currentLength(b));
        assertEquals(end, pool.dataOffset(b) + pool.currentLength(b));
        pool.advance(b, -14 - 128);
        assertEquals(-128, pool.currentData(b));
        assertEquals(1514 + 128, pool.currentLength(b));
        assertEquals(0, pool.prependSpace(b));
        assertEquals(end, pool.dataOffset(b) + pool.currentLength(b));
        assertEquals(pool.bufferOffset(b) + BufferLayout.HEADER_SIZE, pool.dataOffset(b));
    }

    @Test
    void advanceRejectsGoingPastTheHeadroomOrTheData() {
        int b = cache.allocate();
        pool.setCurrentLength(b, 100);
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> pool.advance(b, -129));
        assertTrue(e.getMessage().contains("advance by -129 with data at 0, length 100 and headroom 128"),
                e.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> pool.advance(b, 101));
        assertThrows(IndexOutOfBoundsException.class, () -> pool.advance(b, Integer.MIN_VALUE));
        // Nothing moved.
        assertEquals(0, pool.currentData(b));
        assertEquals(100, pool.currentLength(b));
        pool.advance(b, 100);
        assertEquals(0, pool.currentLength(b));
        pool.advance(b, -228);
        assertEquals(-128, pool.currentData(b));
    }

    @Test
    void lengthCannotRunPastTheDataArea() {
        int b = cache.allocate();
        pool.setCurrentLength(b, 2048);
        assertEquals(0, pool.appendSpace(b));
        assertThrows(IndexOutOfBoundsException.class, () -> pool.setCurrentLength(b, 2049));
        assertThrows(IndexOutOfBoundsException.class, () -> pool.setCurrentLength(b, -1));
        pool.advance(b, 48);
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                () -> pool.setCurrentLength(b, 2001));
        assertTrue(e.getMessage().contains("length 2001 at data offset 48 does not fit in [0, 2000]"),
                e.getMessage());
        pool.setCurrentLength(b, 2000);
        pool.advance(b, -176);
        assertEquals(2176, pool.currentLength(b));
    }

    @Test
    void accessorsRejectIndicesOutsideThePool() {
        assertThrows(IndexOutOfBoundsException.class, () -> pool.currentLength(8));
        assertThrows(IndexOutOfBoundsException.class, () -> pool.setCurrentLength(-1, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> pool.advance(BufferPool.NO_BUFFER, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> cache.free(8));
    }
}
