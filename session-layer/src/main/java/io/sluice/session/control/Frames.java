package io.sluice.session.control;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/** The control protocol's framing: a 4-byte big-endian payload length, then the payload. Blocking channels. */
final class Frames {

    /** Thrown for a frame whose length is over the limit; the stream cannot be resynchronised after it. */
    static final class OversizedFrameException extends ControlProtocolException {
        private static final long serialVersionUID = 1L;

        OversizedFrameException(String message) {
            super(message);
        }
    }

    private Frames() {}

    static void write(WritableByteChannel channel, byte[] payload) throws IOException {
        ByteBuffer frame = ByteBuffer.allocate(Integer.BYTES + payload.length);
        frame.putInt(payload.length).put(payload).flip();
        while (frame.hasRemaining()) {
            channel.write(frame);
        }
    }

    /**
     * @param kind {@code request} or {@code reply}, for messages
     * @return the payload, or {@code null} if the peer closed the connection before a frame began
     */
    static ByteBuffer read(ReadableByteChannel channel, int maxBytes, String kind) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(Integer.BYTES);
        if (!fill(channel, header, kind + " length", true)) {
            return null;
        }
        int length = header.flip().getInt();
        if (length < 0 || length > maxBytes) {
            throw new OversizedFrameException(kind + " of " + Integer.toUnsignedLong(length)
                    + " bytes is more than the limit of " + maxBytes);
        }
        ByteBuffer payload = ByteBuffer.allocate(length);
        fill(channel, payload, kind, false);
        return payload.flip();
    }

    private static boolean fill(ReadableByteChannel channel, ByteBuffer buffer, String what, boolean eofAllowed)
            throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                if (eofAllowed && buffer.position() == 0) {
                    return false;
                }
                throw new EOFException("connection closed in the middle of the " + what + " ("
                        + buffer.position() + " of " + buffer.limit() + " bytes)");
            }
        }
        return true;
    }
}
