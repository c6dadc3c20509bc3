package io.sluice.core.tcp.layer;

import io.sluice.core.tcp.ReceiveBuffer;
import io.sluice.core.tcp.SendBuffer;
import java.util.Objects;

/**
 * The two byte buffers of one connection: the application writes into {@code send} and reads from
 * {@code receive}; the connection's worker does the opposite. The session layer's FIFO pair implements both.
 *
 * @param send bytes to send, head = SND.UNA (the worker peeks and drops, the application appends)
 * @param receive received bytes (the worker appends, in order or out of order; the application takes them)
 */
public record TcpBuffers(SendBuffer send, ReceiveBuffer receive) {

    /** Both are required. */
    public TcpBuffers {
        Objects.requireNonNull(send, "send buffer");
        Objects.requireNonNull(receive, "receive buffer");
    }
}
