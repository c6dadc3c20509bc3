package io.sluice.core.phy;

import io.sluice.core.buffer.BufferCache;
import io.sluice.core.buffer.BufferPool;
import io.sluice.core.buffer.BufferPoolConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Two stacks' buffer pools (of different buffer sizes) and helpers to send and collect frames with explicit time. */
final class WireFixture implements AutoCloseable {

    final BufferPool poolA = BufferPool.create(BufferPoolConfig.defaults().withBufferCount(4096));
    /** Smaller buffers on b: a full-size frame arrives as a chain of two. */
    final BufferPool poolB = BufferPool.create(BufferPoolConfig.defaults().withBufferCount(4096).withDataSize(1024));
    final BufferCache cacheA = poolA.newCache();
    final BufferCache cacheB = poolB.newCache();
    final int inUseA = poolA.buffersInUse();
    final int inUseB = poolB.buffersInUse();
    private final int[] one = new int[1];
    private final int[] rx = new int[256];

    /** A frame of {@code length} bytes: an Ethernet header, a sequence number at 14, seeded random bytes after. */
    static byte[] frame(int length, int sequence) {
        byte[] f = new byte[length];
        new SplittableRandom(sequence * 31L + length).nextBytes(f);
        f[12] = 0x08;
        f[13] = 0x00;
        f[14] = (byte) (sequence >>> 24);
        f[15] = (byte) (sequence >>> 16);
        f[16] = (byte) (sequence >>> 8);
        f[17] = (byte) sequence;
        return f;
    }

    static int sequenceOf(byte[] f) {
        return (f[14] & 0xff) << 24 | (f[15] & 0xff) << 16 | (f[16] & 0xff) << 8 | (f[17] & 0xff);
    }

    BufferCache cacheOf(Device end, InMemoryWire wire) {
        return end == wire.a() ? cacheA : cacheB;
    }

    /** Transmits one frame from {@code cache}'s pool on {@code device}; returns what transmit returned. */
    int send(Device device, BufferCache cache, long now, byte[] bytes) {
        one[0] = cache.copyIn(bytes, 0, bytes.length);
        return device.transmit(0, now, cache, one, 0, 1);
    }

    /** Receives everything due at {@code now} into {@code cache}, copies it out, frees the buffers. */
    List<byte[]> receiveAll(Device device, BufferCache cache, long now) {
        List<byte[]> out = new ArrayList<>();
        int n;
        do {
            n = device.receive(0, now, cache, rx, 0, rx.length);
            for (int k = 0; k < n; k++) {
                byte[] b = new byte[cache.pool().chainLength(rx[k])];
                cache.pool().copyOut(rx[k], b, 0);
                out.add(b);
                cache.freeChain(rx[k]);
            }
        } while (n == rx.length);
        return out;
    }

    @Override
    public void close() {
        cacheA.close();
        cacheB.close();
        poolA.close();
        poolB.close();
    }
}
