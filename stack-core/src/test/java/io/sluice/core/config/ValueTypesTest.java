package io.sluice.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class ValueTypesTest {

    private static final ValueType<Long> SIZE = ValueTypes.size(1, Long.MAX_VALUE);

    private static String sizeError(String text) {
        return assertThrows(IllegalArgumentException.class, () -> SIZE.parse(text)).getMessage();
    }

    @Test
    void sizeUnits() {
        assertEquals(400000L, SIZE.parse("400000"));
        assertEquals(64L << 10, SIZE.parse("64k"));
        assertEquals(64L << 10, SIZE.parse("64K"));
        assertEquals(4L << 20, SIZE.parse("4m"));
        assertEquals(4L << 20, SIZE.parse("4M"));
        assertEquals(1L << 30, SIZE.parse("1g"));
        assertEquals(3L << 30, SIZE.parse("3G"));
        assertEquals(0x10000L, SIZE.parse("0x10000"));
        assertEquals(0xabcL, SIZE.parse("0XABC"));
        assertEquals(1000000000L, SIZE.parse("1000000000"));
    }

    @Test
    void sizeErrors() {
        assertEquals("not a number (sizes take the suffixes k, m, g)", sizeError("4kb"));
        assertEquals("not a number", sizeError("k"));
        assertEquals("not a number (sizes take the suffixes k, m, g)", sizeError("-1"));
        assertEquals("not a number (sizes take the suffixes k, m, g)", sizeError("1.5g"));
        assertEquals("not a number", sizeError("0x"));
        assertEquals("too large", sizeError("99999999999g"));
        assertEquals("too large", sizeError("99999999999999999999"));
        assertEquals("0 is out of range 1 to 9223372036854775807", sizeError("0"));
        assertEquals("not a number (sizes take the suffixes k, m, g)", sizeError("１２"));
    }

    @Test
    void sizeDescriptionUsesUnits() {
        assertEquals("a size in bytes from 64k to 64g (a number, optionally with k, m or g)",
                ValueTypes.size(64L << 10, 64L << 30).description());
        assertEquals("1000", ValueTypes.formatSize(1000));
        assertEquals("1536k", ValueTypes.formatSize(1536 << 10));
    }

    @Test
    void integers() {
        ValueType<Integer> type = ValueTypes.intRange(0, 10);
        assertEquals(7, type.parse("7"));
        assertEquals(10, type.parse("0xa"));
        assertThrows(IllegalArgumentException.class, () -> type.parse("11"));
        assertThrows(IllegalArgumentException.class, () -> type.parse("1k"));
        assertThrows(IllegalArgumentException.class, () -> type.parse(""));
        assertThrows(IllegalArgumentException.class, () -> type.parse("+1"));
        assertEquals(Long.MAX_VALUE, ValueTypes.longRange(0, Long.MAX_VALUE).parse("9223372036854775807"));
        assertThrows(IllegalArgumentException.class, () -> ValueTypes.unsigned64().parse("18446744073709551616"));
        assertEquals(-2L, ValueTypes.unsigned64().parse("18446744073709551614"));
    }

    @Test
    void cpuLists() {
        assertEquals(List.of(2, 3, 4, 6), CpuList.parse("2-4,6").cpus());
        assertEquals(List.of(2, 3, 18, 19), CpuList.parse("2-3,18-19").cpus());
        assertEquals(List.of(5), CpuList.parse("5").cpus());
        assertEquals(List.of(1, 2, 3), CpuList.parse("3,1,2").cpus());
        assertEquals("1-3,7,9-10", CpuList.parse("9-10,7,1-3").toString());
        assertEquals("range '3-1' goes down", cpuError("3-1"));
        assertEquals("'a' is not a CPU number (in 'a-b')", cpuError("a-b"));
        assertEquals("'' is not a CPU number (in '1-')", cpuError("1-"));
        assertEquals("'2-3' is not a CPU number (in '1-2-3')", cpuError("1-2-3"));
        assertEquals("empty element in CPU list '1,,2'", cpuError("1,,2"));
        assertEquals("empty element in CPU list ''", cpuError(""));
        assertEquals("CPU 3 listed twice", cpuError("1-4,3"));
        assertEquals("CPU 4096 above 4095", cpuError("4096"));
        assertEquals("'99999999' is not a CPU number (in '99999999')", cpuError("99999999"));
        assertEquals(List.of(0, 4095), List.of(CpuList.parse("0,4095").toBitSet().nextSetBit(0),
                CpuList.parse("0,4095").toBitSet().nextSetBit(1)));
    }

    private static String cpuError(String text) {
        return assertThrows(IllegalArgumentException.class, () -> CpuList.parse(text)).getMessage();
    }

    @Test
    void addresses() {
        ValueType<String> prefix = ValueTypes.ipv4Prefix();
        assertEquals("198.18.0.1/24", prefix.parse("198.18.0.1/24"));
        assertEquals("0.0.0.0/0", prefix.parse("0.0.0.0/0"));
        for (String bad : List.of("198.18.0.1", "198.18.0/24", "198.18.0.1/33", "1.2.3.4.5/8", "a.b.c.d/1",
                "198.18.0.1/", "/24", "1..2.3/4", "1000.1.1.1/8")) {
            assertThrows(IllegalArgumentException.class, () -> prefix.parse(bad), bad);
        }
        ValueType<String> mac = ValueTypes.macAddress();
        assertEquals("02:fe:ab:cd:ef:01", mac.parse("02:FE:AB:CD:EF:01"));
        for (String bad : List.of("02:fe:ab:cd:ef", "02:fe:ab:cd:ef:0g", "2:fe:ab:cd:ef:01", "02-fe-ab-cd-ef-01")) {
            assertThrows(IllegalArgumentException.class, () -> mac.parse(bad), bad);
        }
    }

    @Test
    void suggestions() {
        assertEquals(" (did you mean 'rx-fifo-size'?)", Suggestions.didYouMean("rx-fifo-sise",
                List.of("tx-fifo-size", "rx-fifo-size")));
        assertEquals(" (did you mean 'nodaemon'?)", Suggestions.didYouMean("nodeamon", List.of("nodaemon")));
        assertEquals("", Suggestions.didYouMean("xyz", List.of("nodaemon", "gid")));
        assertEquals(1, Suggestions.distance("ab", "ba"));
        assertEquals(3, Suggestions.distance("kitten", "sitting"));
    }
}
