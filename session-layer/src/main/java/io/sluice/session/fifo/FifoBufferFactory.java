package io.sluice.session.fifo;

import io.sluice.core.tcp.layer.TcpBufferFactory;
import io.sluice.core.tcp.layer.TcpBuffers;
import java.lang.foreign.Arena;
import java.util.concurrent.atomic.AtomicLong;

/**
 * TCP buffers made of two {@link ByteFifo}s in native memory, one pair per connection: the send FIFO (the
 * application produces, the stack's worker peeks, retransmits and drops) and the receive FIFO (the worker produces
 * in order and out of order, the application consumes). Until the segment manager places FIFOs in application
 * segments, this is how a program in the stack's own JVM (tests, benchmarks, an embedded application) gets them.
 *
 * <p>The memory comes from an automatic arena and is freed once the connection's buffers are unreachable:
 * {@link #release} only counts. Measured: FIFOs in a shared arena made one connection 50 times slower in
 * {@code bench tcp} than in an automatic or global one (docs/benchmarks.md), so the choice is deliberate.
 */
public final class FifoBufferFactory implements TcpBufferFactory {

    private final int sendBytes;
    private final int receiveBytes;
    private final AtomicLong allocated = new AtomicLong();
    private final AtomicLong released = new AtomicLong();

    /**
     * @param sendBytes capacity of each send FIFO
     * @param receiveBytes capacity of each receive FIFO (the most the connection advertises as its window)
     */
    public FifoBufferFactory(int sendBytes, int receiveBytes) {
        if (sendBytes < 1 || receiveBytes < 1) {
            throw new IllegalArgumentException("FIFO sizes must be positive, got " + sendBytes + " and "
                    + receiveBytes);
        }
        this.sendBytes = sendBytes;
        this.receiveBytes = receiveBytes;
    }

    @Override
    public TcpBuffers allocate() {
        Arena arena = Arena.ofAuto();
        ByteFifo send = ByteFifo.format(arena.allocate(FifoLayout.footprint(sendBytes, 0), FifoLayout.CACHE_LINE),
                sendBytes, 0);
        ByteFifo receive = ByteFifo.format(arena.allocate(FifoLayout.footprint(receiveBytes,
                FifoLayout.DEFAULT_MAX_RANGES), FifoLayout.CACHE_LINE), receiveBytes, FifoLayout.DEFAULT_MAX_RANGES);
        allocated.incrementAndGet();
        return new TcpBuffers(send, receive);
    }

    @Override
    public void release(TcpBuffers buffers) {
        released.incrementAndGet();
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
}
