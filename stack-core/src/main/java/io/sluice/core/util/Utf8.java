package io.sluice.core.util;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Strict UTF-8: text from files and from the wire is refused when malformed, never silently repaired. */
public final class Utf8 {

    private Utf8() {}

    /**
     * Decodes UTF-8, refusing malformed input (where {@code new String(bytes, UTF_8)} would put U+FFFD).
     *
     * @param bytes the bytes from position to limit; the position moves to the limit
     * @return the text
     * @throws CharacterCodingException if the bytes are not well-formed UTF-8
     */
    public static String decode(ByteBuffer bytes) throws CharacterCodingException {
        return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(bytes).toString();
    }

    /**
     * Decodes the next {@code length} bytes of a buffer as strict UTF-8 and moves its position past them (also
     * when they are malformed, so the caller's view of the buffer stays consistent).
     *
     * @throws CharacterCodingException if those bytes are not well-formed UTF-8
     * @throws BufferUnderflowException if fewer than {@code length} bytes remain
     */
    public static String decode(ByteBuffer buffer, int length) throws CharacterCodingException {
        if (buffer.remaining() < length) {
            throw new BufferUnderflowException();
        }
        ByteBuffer bytes = buffer.slice(buffer.position(), length);
        buffer.position(buffer.position() + length);
        return decode(bytes);
    }
}
