package io.sluice.session.fifo;

import io.sluice.core.sys.MemFd;
import io.sluice.core.sys.NativeFd;
import io.sluice.core.sys.SharedMemory;
import io.sluice.core.sys.SyscallException;
import io.sluice.core.tcp.layer.TcpBufferFactory;
import io.sluice.core.tcp.layer.TcpBuffers;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * TCP buffers made of two {@link ByteFifo}s in native memory, one pair per connection: the send FIFO (the
 * application produces, the stack's worker peeks, retransmits and drops) and the receive FIFO (the worker produces
 * in order and out of order, the application consumes). Until the segment manager places FIFOs in application
 * segments, this is how a program in the stack's own JVM (tests, benchmarks, an embedded application) gets them.
 *
 * <p>Two kinds of memory:
 * <ul>
 *   <li>{@link #FifoBufferFactory(int, int) automatic} (the default): an automatic arena per pair, freed once the
 *       connection's buffers are unreachable; {@link #release} only counts.</li>
 *   <li>{@link #inMemfd memfd}: each pair in one memfd {@link SharedMemory} mapping (shared arena), as in an
 *       application segment; {@link #release} unmaps it, and {@link #close} unmaps the pairs never released. A
 *       view used after its pair is released throws IllegalStateException; it never touches unmapped memory.
 *       Each unmapping closes a shared arena, which is a handshake with every Java thread (about 0.13 ms here,
 *       docs/benchmarks.md), so it happens once per connection, never per segment.</li>
 * </ul>
 * Both move data at the same speed (docs/benchmarks.md, {@code FifoArenaBench} and {@code bench tcp}).
 */
public final class FifoBufferFactory implements TcpBufferFactory, AutoCloseable {

    private final int sendBytes;
    private final int receiveBytes;
    private final boolean memfd;
    /** memfd mode: the mapping behind each pair handed out and not yet released (TcpBuffers compare by identity). */
    private final Map<TcpBuffers, SharedMemory> mappings = new ConcurrentHashMap<>();
    private final AtomicLong allocated = new AtomicLong();
    private final AtomicLong released = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();

    /**
     * FIFOs in automatic arenas.
     *
     * @param sendBytes capacity of each send FIFO
     * @param receiveBytes capacity of each receive FIFO (the most the connection advertises as its window)
     */
    public FifoBufferFactory(int sendBytes, int receiveBytes) {
        this(sendBytes, receiveBytes, false);
    }

    private FifoBufferFactory(int sendBytes, int receiveBytes, boolean memfd) {
        if (sendBytes < 1 || receiveBytes < 1) {
            throw new IllegalArgumentException("FIFO sizes must be positive, got " + sendBytes + " and "
                    + receiveBytes);
        }
        this.sendBytes = sendBytes;
        this.receiveBytes = receiveBytes;
        this.memfd = memfd;
    }

    /** FIFOs in memfd mappings, one per pair, unmapped on {@link #release}; sizes as in the constructor. */
    public static FifoBufferFactory inMemfd(int sendBytes, int receiveBytes) {
        return new FifoBufferFactory(sendBytes, receiveBytes, true);
    }

    /** {@inheritDoc} In memfd mode, null (counted in {@link #failures()}) when the mapping cannot be made. */
    @Override
    public TcpBuffers allocate() {
        long sendFootprint = FifoLayout.footprint(sendBytes, 0);
        long receiveFootprint = FifoLayout.footprint(receiveBytes, FifoLayout.DEFAULT_MAX_RANGES);
        TcpBuffers buffers;
        if (memfd) {
            SharedMemory mapping = map(sendFootprint + receiveFootprint);
            if (mapping == null) {
                return null;
            }
            buffers = format(mapping.segment(), sendFootprint, receiveFootprint);
            mappings.put(buffers, mapping);
        } else {
            Arena arena = Arena.ofAuto();
            buffers = format(arena.allocate(sendFootprint + receiveFootprint, FifoLayout.CACHE_LINE), sendFootprint,
                    receiveFootprint);
        }
        allocated.incrementAndGet();
        return buffers;
    }

    private TcpBuffers format(MemorySegment memory, long sendFootprint, long receiveFootprint) {
        // Footprints are whole cache lines, so the receive FIFO stays aligned.
        ByteFifo send = ByteFifo.format(memory.asSlice(0, sendFootprint), sendBytes, 0);
        ByteFifo receive = ByteFifo.format(memory.asSlice(sendFootprint, receiveFootprint), receiveBytes,
                FifoLayout.DEFAULT_MAX_RANGES);
        return new TcpBuffers(send, receive);
    }

    private SharedMemory map(long bytes) {
        try (NativeFd fd = MemFd.create("sluice-tcp-fifos", MemFd.MFD_CLOEXEC)) {
            MemFd.truncate(fd, bytes);
            return SharedMemory.map(fd, bytes);
        } catch (SyscallException e) {
            failures.incrementAndGet();
            return null;
        }
    }

    /** {@inheritDoc} In memfd mode, unmaps the pair; a failed munmap is counted in {@link #failures()}. */
    @Override
    public void release(TcpBuffers buffers) {
        released.incrementAndGet();
        SharedMemory mapping = mappings.remove(buffers);
        if (mapping != null) {
            unmap(mapping);
        }
    }

    private void unmap(SharedMemory mapping) {
        try {
            mapping.close();
        } catch (SyscallException e) {
            failures.incrementAndGet();
        }
    }

    /** Unmaps every pair not released yet (memfd mode); their views throw afterwards. */
    @Override
    public void close() {
        for (TcpBuffers buffers : mappings.keySet()) {
            SharedMemory mapping = mappings.remove(buffers);
            if (mapping != null) {
                unmap(mapping);
            }
        }
    }

    @Override
    public int receiveCapacity() {
        return receiveBytes;
    }

    /** Pairs handed out. */
    public long allocated() {
        return allocated.get();
    }

    /** Pairs given back. */
    public long released() {
        return released.get();
    }

    /** memfd mode: mappings that could not be made or unmapped. */
    public long failures() {
        return failures.get();
    }
}
