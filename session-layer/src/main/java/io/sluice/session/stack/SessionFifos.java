package io.sluice.session.stack;

import io.sluice.core.tcp.layer.TcpBufferFactory;
import io.sluice.core.tcp.layer.TcpBuffers;
import io.sluice.session.segment.FifoPair;
import io.sluice.session.segment.SegmentManager;

/**
 * An application's FIFO pairs as TCP buffers, with the session layer's lifetime rule: when TCP hands a pair back,
 * it is freed only if no session holds it (a handshake that never became a session); a session's pair waits until
 * the application closed it too, since the application may still be reading the rx FIFO.
 */
final class SessionFifos implements TcpBufferFactory {

    private final SegmentManager fifos;
    private final TcpBufferFactory plain;
    private final SessionLayer layer;

    SessionFifos(SegmentManager fifos, SessionLayer layer) {
        this.fifos = fifos;
        this.plain = fifos.tcpBuffers();
        this.layer = layer;
    }

    @Override
    public TcpBuffers allocate() {
        return plain.allocate();
    }

    @Override
    public int receiveCapacity() {
        return plain.receiveCapacity();
    }

    /** On the connection's worker, right after {@code onClosed}. */
    @Override
    public void release(TcpBuffers buffers) {
        FifoPair pair = fifos.pairOf(buffers);
        if (pair.owner() instanceof Session session) {
            layer.worker(session.worker).transportReleased(session);
        } else {
            fifos.free(pair);
        }
    }

    /** The pair TCP's {@code buffers} are. */
    FifoPair pairOf(TcpBuffers buffers) {
        return fifos.pairOf(buffers);
    }

    void free(FifoPair pair) {
        pair.setOwner(null);
        fifos.free(pair);
    }
}
