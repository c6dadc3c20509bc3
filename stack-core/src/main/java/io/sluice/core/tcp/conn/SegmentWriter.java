package io.sluice.core.tcp.conn;

import java.lang.foreign.MemorySegment;

/**
 * Where a {@link TcpConnection} puts the segments it emits. The tcp4-output node implements it (building the
 * header with {@code wire.Tcp}, copying the payload straight from the connection's send buffer into a packet
 * buffer); tests capture the segments. Called on the connection's worker thread, during the connection's method;
 * it must not call back into the connection.
 */
public interface SegmentWriter {

    /**
     * Emits one segment.
     *
     * @param connection the sender; its {@link TcpConnection#sendBuffer()} holds the payload
     * @param flags control bits ({@code wire.Tcp.SYN}, {@code ACK}, ...)
     * @param seq SEG.SEQ
     * @param ack SEG.ACK (meaningful only with ACK set)
     * @param window the window field as sent (already scaled down)
     * @param options the options bytes, already encoded, at offset 0 of this segment (valid during the call only)
     * @param optionsLength bytes of options, a multiple of 4 (0 to 40)
     * @param payloadOffset where the payload starts in the send buffer (offset 0 is SND.UNA's byte)
     * @param payloadLength payload bytes; 0 for none
     */
    void send(TcpConnection connection, int flags, int seq, int ack, int window, MemorySegment options,
            int optionsLength, int payloadOffset, int payloadLength);
}
