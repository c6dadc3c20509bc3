package io.sluice.core.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/** NUL-terminated C strings: checked on the Java side so the kernel never sees a truncated or embedded-NUL name. */
final class CStrings {

    private CStrings() {
    }

    /**
     * The UTF-8 bytes of a name, checked.
     *
     * @param what what the name is, for the message (e.g. "memfd name")
     * @param maxBytes the most bytes the name may have, not counting the terminating NUL
     */
    static byte[] checkedBytes(String what, String name, int maxBytes) {
        if (name == null) {
            throw new IllegalArgumentException(what + " is null");
        }
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > maxBytes) {
            throw new IllegalArgumentException(what + " '" + name + "' is " + bytes.length
                    + " bytes of UTF-8; the limit is " + maxBytes);
        }
        if (name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(what + " '" + name + "' contains a NUL character");
        }
        return bytes;
    }

    /** Copies bytes into a new segment followed by a NUL. */
    static MemorySegment allocate(Arena arena, byte[] bytes) {
        MemorySegment segment = arena.allocate(bytes.length + 1L);
        MemorySegment.copy(bytes, 0, segment, ValueLayout.JAVA_BYTE, 0, bytes.length);
        return segment;
    }
}
