package io.sluice.core.wire;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Network byte order (big-endian, RFC 1700 "Data Notations") reads and writes at any byte offset of a segment. The
 * layouts are unaligned because headers sit wherever the frame put them (an IPv4 header after a 14-byte Ethernet
 * header is only 2-byte aligned).
 */
final class NetOrder {

    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private NetOrder() {}

    static int u8(MemorySegment mem, long off) {
        return mem.get(ValueLayout.JAVA_BYTE, off) & 0xff;
    }

    static int u16(MemorySegment mem, long off) {
        return mem.get(U16, off) & 0xffff;
    }

    static int u32(MemorySegment mem, long off) {
        return mem.get(U32, off);
    }

    /** A 48-bit MAC address, first byte on the wire in bits 47..40. */
    static long u48(MemorySegment mem, long off) {
        return ((long) u16(mem, off) << 32) | (mem.get(U32, off + 2) & 0xffff_ffffL);
    }

    static void setU8(MemorySegment mem, long off, int value) {
        mem.set(ValueLayout.JAVA_BYTE, off, (byte) value);
    }

    static void setU16(MemorySegment mem, long off, int value) {
        mem.set(U16, off, (short) value);
    }

    static void setU32(MemorySegment mem, long off, int value) {
        mem.set(U32, off, value);
    }

    static void setU48(MemorySegment mem, long off, long value) {
        mem.set(U16, off, (short) (value >>> 32));
        mem.set(U32, off + 2, (int) value);
    }
}
