package io.sluice.netty;

import io.netty.buffer.ByteBuf;
import io.sluice.comms.SluiceConnection;
import io.sluice.comms.SluiceException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * Reads and writes between a {@link ByteBuf} and a connection's FIFOs without allocating: through the buffer's memory
 * address or its array. ({@code ByteBuf.internalNioBuffer} would make a new {@link ByteBuffer} view for each pooled
 * buffer taken from its pool, which is every read.) Other buffers go through their NIO views.
 */
final class ByteBufIo {

    /** All of memory: a direct buffer's bytes are read and written at their address. */
    private static final MemorySegment EVERYTHING = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private ByteBufIo() {
    }

    /**
     * Reads what the connection has, up to {@code length} bytes, into {@code buf} at {@code index}; does not move the
     * buffer's indexes.
     *
     * @return bytes read, 0 if none are there, -1 at end of stream
     */
    static int read(SluiceConnection connection, ByteBuf buf, int index, int length) throws SluiceException {
        if (buf.hasMemoryAddress()) {
            return connection.read(EVERYTHING, buf.memoryAddress() + index, length);
        }
        if (buf.hasArray()) {
            return connection.read(buf.array(), buf.arrayOffset() + index, length);
        }
        if (buf.nioBufferCount() == 1) {
            return connection.read(buf.internalNioBuffer(index, length));
        }
        ByteBuffer[] views = buf.nioBuffers(index, length);
        return (int) connection.read(views, 0, views.length);
    }

    /**
     * Writes {@code length} bytes of {@code buf} from {@code index}, as far as the send FIFO has room; does not move
     * the buffer's indexes.
     *
     * @return bytes written, 0 when the FIFO is full
     */
    static int write(SluiceConnection connection, ByteBuf buf, int index, int length) throws SluiceException {
        if (buf.hasMemoryAddress()) {
            return connection.write(EVERYTHING, buf.memoryAddress() + index, length);
        }
        if (buf.hasArray()) {
            return connection.write(buf.array(), buf.arrayOffset() + index, length);
        }
        if (buf.nioBufferCount() == 1) {
            return connection.write(buf.internalNioBuffer(index, length));
        }
        ByteBuffer[] views = buf.nioBuffers(index, length);
        return (int) connection.write(views, 0, views.length);
    }
}
