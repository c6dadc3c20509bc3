package io.sluice.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.core.buffer.BufferCache;
import io.sluice.core.buffer.BufferPool;
import io.sluice.core.buffer.BufferPoolConfig;
import io.sluice.core.iface.InterfaceTable;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What an engine test builds on: a buffer pool (and its free count at the start), a cache for the test thread, an
 * interface table, and the engines and devices the test made, closed in reverse order (engine before devices).
 */
final class TestStack implements AutoCloseable {

    final BufferPool pool;
    final int freeAtStart;
    final BufferCache cache;
    final InterfaceTable interfaces = new InterfaceTable();
    private final Deque<AutoCloseable> toClose = new ArrayDeque<>();

    TestStack(int buffers) {
        pool = BufferPool.create(BufferPoolConfig.defaults().withBufferCount(buffers).withCacheSize(64));
        freeAtStart = pool.buffersFree();
        cache = pool.newCache();
    }

    /** Registers an engine or a device to close with the stack (the last registered first). */
    <T extends AutoCloseable> T add(T closeable) {
        toClose.push(closeable);
        return closeable;
    }

    /** Closes the engines and devices, then checks that every buffer is back in the pool. */
    void assertEveryBufferBackAfterClose() throws Exception {
        closeRegistered();
        cache.flushAll();
        assertEquals(freeAtStart, pool.buffersFree(), "buffers back in the pool");
    }

    private void closeRegistered() throws Exception {
        while (!toClose.isEmpty()) {
            toClose.pop().close();
        }
    }

    @Override
    public void close() throws Exception {
        try {
            closeRegistered();
        } finally {
            cache.close();
            pool.close();
        }
    }
}
