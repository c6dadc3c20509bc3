package io.sluice.core.engine;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.sluice.core.buffer.BufferLayout;
import io.sluice.core.buffer.BufferPool;

/**
 * How a node sends a packet to the worker its flow belongs to: store the worker in the buffer with
 * {@link #setTargetWorker}, rewind the buffer's current data to the Ethernet header, and enqueue it to the
 * {@value HandoffNode#NAME} node. On the target worker it re-enters the graph at {@value DeviceInputNode#NEXT_NODE}.
 *
 * <p><b>Opaque bytes used:</b> the target worker is an {@code int} (native byte order) in bytes
 * {@value #OPAQUE_WORKER_OFFSET} to {@value #OPAQUE_WORKER_END} of the buffer's 24-byte opaque area (metadata
 * offset {@code BufferLayout.OPAQUE_OFFSET + 20}, the opaque area's last word). Bytes 0 to 19 stay free for protocol
 * nodes; they are carried across the hand-off unchanged.
 */
public final class Handoff {

    /** Offset of the target worker in the opaque area. */
    public static final int OPAQUE_WORKER_OFFSET = BufferLayout.OPAQUE_SIZE - Integer.BYTES;
    /** Last byte of the target worker in the opaque area. */
    public static final int OPAQUE_WORKER_END = BufferLayout.OPAQUE_SIZE - 1;

    private Handoff() {
    }

    /** Records the worker {@code buffer} goes to. */
    public static void setTargetWorker(BufferPool pool, int buffer, int worker) {
        pool.memory().set(JAVA_INT, pool.opaqueOffset(buffer) + OPAQUE_WORKER_OFFSET, worker);
    }

    /** The worker recorded by {@link #setTargetWorker}. */
    public static int targetWorker(BufferPool pool, int buffer) {
        return pool.memory().get(JAVA_INT, pool.opaqueOffset(buffer) + OPAQUE_WORKER_OFFSET);
    }
}
