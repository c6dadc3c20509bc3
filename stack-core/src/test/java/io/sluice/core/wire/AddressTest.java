package io.sluice.core.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Address values: parse and format round trips, every parse error, classification, prefixes. */
class AddressTest {

    private static void rejects(String expectedFragment, Runnable parse) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, parse::run);
        assertTrue(e.getMessage().contains(expectedFragment), e.getMessage());
    }

    @Test
    void macParseAndFormat() {
        MacAddress mac = MacAddress.parse("02:00:00:00:00:01");
        assertEquals(0x0200_0000_0001L, mac.bits());
        assertEquals("02:00:00:00:00:01", mac.toString());
        assertEquals(mac, MacAddress.parse("02-00-00-00-00-01"));
        assertEquals("aa:bb:cc:dd:ee:ff", MacAddress.parse("AA:BB:CC:DD:EE:FF").toString());
        Random random = new Random(802);
        for (int i = 0; i < 1000; i++) {
            long bits = random.nextLong() & MacAddress.BROADCAST;
            assertEquals(bits, MacAddress.parse(MacAddress.format(bits)).bits());
        }
    }

    @Test
    void macParseErrors() {
        rejects("expected 6 groups", () -> MacAddress.parse(""));
        rejects("expected 6 groups", () -> MacAddress.parse("02:00:00:00:00"));
        rejects("expected 6 groups", () -> MacAddress.parse("02:00:00:00:00:001"));
        rejects("separated by ':'", () -> MacAddress.parse("02.00.00.00.00.01"));
        rejects("expected ':' at index 5", () -> MacAddress.parse("02:00-00:00:00:01"));
        rejects("group 3 \"0g\" is not hexadecimal", () -> MacAddress.parse("02:00:0g:00:00:01"));
        rejects("wider than 48 bits", () -> new MacAddress(1L << 48));
        rejects("wider than 48 bits", () -> new MacAddress(-1));
    }

    @Test
    void macClassification() {
        assertTrue(new MacAddress(MacAddress.BROADCAST).isBroadcast());
        assertTrue(new MacAddress(MacAddress.BROADCAST).isMulticast());
        assertTrue(MacAddress.parse("01:00:5e:00:00:fb").isMulticast());
        assertFalse(MacAddress.parse("01:00:5e:00:00:fb").isBroadcast());
        assertFalse(MacAddress.parse("02:00:00:00:00:01").isMulticast());
        assertTrue(MacAddress.parse("02:00:00:00:00:01").isLocallyAdministered());
        assertFalse(MacAddress.parse("00:1b:21:00:00:01").isLocallyAdministered());
    }

    @Test
    void ip4ParseAndFormat() {
        assertEquals(0xc612_0001, Ip4Address.parse("198.18.0.1").bits());
        assertEquals("198.18.0.1", Ip4Address.parse("198.18.0.1").toString());
        assertEquals("0.0.0.0", Ip4Address.parse("0.0.0.0").toString());
        assertEquals("255.255.255.255", Ip4Address.parse("255.255.255.255").toString());
        assertEquals(Ip4Address.of(10, 1, 2, 3), Ip4Address.parse("10.1.2.3"));
        assertArrayEquals(new byte[] {(byte) 198, 18, 0, 1}, Ip4Address.parse("198.18.0.1").toBytes());
        assertEquals(32, Ip4Address.parse("1.2.3.4").bitLength());
        Random random = new Random(791);
        for (int i = 0; i < 1000; i++) {
            int bits = random.nextInt();
            assertEquals(bits, Ip4Address.parse(Ip4Address.format(bits)).bits());
        }
        assertEquals(Ip4Address.parse("1.2.3.4"), IpAddress.parse("1.2.3.4"));
    }

    @Test
    void ip4ParseErrors() {
        rejects("field 1 is empty", () -> Ip4Address.parse(""));
        rejects("3 fields, expected 4", () -> Ip4Address.parse("1.2.3"));
        rejects("1 field, expected 4", () -> Ip4Address.parse("123"));
        rejects("field 1 \"1234\" is too long", () -> Ip4Address.parse("1234"));
        rejects("more than 4 fields", () -> Ip4Address.parse("1.2.3.4.5"));
        rejects("field 2 is empty", () -> Ip4Address.parse("1..3.4"));
        rejects("more than 4 fields", () -> Ip4Address.parse("1.2.3.4."));
        rejects("field 4 is empty", () -> Ip4Address.parse("1.2.3."));
        rejects("field 1 \"01\" has a leading zero", () -> Ip4Address.parse("01.2.3.4"));
        rejects("field 1 256 is above 255", () -> Ip4Address.parse("256.1.1.1"));
        rejects("field 4 \"a\" is not a decimal number", () -> Ip4Address.parse("1.2.3.a"));
        rejects("field 1 \" 1\" is not a decimal number", () -> Ip4Address.parse(" 1.2.3.4"));
        rejects("field 1 \"+1\" is not a decimal number", () -> Ip4Address.parse("+1.2.3.4"));
        rejects("field 3 \"1000\" is too long", () -> Ip4Address.parse("1.2.1000.4"));
        rejects("IPv6 addresses are not supported yet", () -> IpAddress.parse("fe80::1"));
    }

    @Test
    void ip4Classification() {
        assertTrue(Ip4Address.parse("127.0.0.1").isLoopback());
        assertTrue(Ip4Address.parse("127.255.255.255").isLoopback());
        assertFalse(Ip4Address.parse("128.0.0.1").isLoopback());
        assertTrue(Ip4Address.parse("224.0.0.1").isMulticast());
        assertTrue(Ip4Address.parse("239.255.255.255").isMulticast());
        assertFalse(Ip4Address.parse("240.0.0.1").isMulticast());
        assertFalse(Ip4Address.parse("223.255.255.255").isMulticast());
        assertTrue(Ip4Address.parse("255.255.255.255").isLimitedBroadcast());
        String[] inside = {"10.0.0.0", "10.255.255.255", "172.16.0.1", "172.31.255.255", "192.168.0.1",
            "192.168.255.255"};
        for (String address : inside) {
            assertTrue(Ip4Address.parse(address).isPrivate(), address);
        }
        String[] outside = {"9.255.255.255", "11.0.0.0", "172.15.255.255", "172.32.0.0", "192.167.255.255",
            "192.169.0.0"};
        for (String address : outside) {
            assertFalse(Ip4Address.parse(address).isPrivate(), address);
        }
        assertTrue(Ip4Address.parse("198.18.0.0").isBenchmarking());
        assertTrue(Ip4Address.parse("198.19.255.255").isBenchmarking());
        assertFalse(Ip4Address.parse("198.17.255.255").isBenchmarking());
        assertFalse(Ip4Address.parse("198.20.0.0").isBenchmarking());
        assertTrue(Ip4Address.parse("169.254.1.1").isLinkLocal());
        assertFalse(Ip4Address.parse("169.253.1.1").isLinkLocal());
        assertTrue(Ip4Address.parse("0.0.0.0").isUnspecified());
    }

    @Test
    void netmasks() {
        assertEquals(0, Ip4Address.netmask(0));
        assertEquals(0xffff_ff00, Ip4Address.netmask(24));
        assertEquals(0xfffe_0000, Ip4Address.netmask(15));
        assertEquals(-1, Ip4Address.netmask(32));
        for (int length = 0; length <= 32; length++) {
            assertEquals(length, Ip4Address.prefixLength(Ip4Address.netmask(length)));
        }
        assertEquals(-1, Ip4Address.prefixLength(0xff00_ff00));
        assertEquals(-1, Ip4Address.prefixLength(1));
        rejects("prefix length 33 is outside 0..32", () -> Ip4Address.netmask(33));
        rejects("prefix length -1 is outside 0..32", () -> Ip4Address.netmask(-1));
    }

    @Test
    void prefixes() {
        Ip4Prefix bench = Ip4Prefix.parse("198.18.0.1/15");
        assertEquals("198.18.0.1/15", bench.toString());
        assertFalse(bench.isNetwork());
        assertEquals(Ip4Prefix.parse("198.18.0.0/15"), bench.network());
        assertTrue(bench.network().isNetwork());
        assertEquals(Ip4Address.parse("198.19.255.255"), bench.broadcast());
        assertEquals(0xfffe_0000, bench.netmask());
        assertTrue(bench.contains(Ip4Address.parse("198.19.1.2")));
        assertTrue(bench.contains(0xc612_0000));
        assertFalse(bench.contains(Ip4Address.parse("198.20.0.0")));
        assertTrue(Ip4Prefix.parse("0.0.0.0/0").contains(Ip4Address.parse("8.8.8.8")));
        assertTrue(Ip4Prefix.parse("10.0.0.1/32").contains(Ip4Address.parse("10.0.0.1")));
        assertFalse(Ip4Prefix.parse("10.0.0.1/32").contains(Ip4Address.parse("10.0.0.2")));
    }

    @Test
    void prefixParseErrors() {
        rejects("expected address/length", () -> Ip4Prefix.parse("10.0.0.0"));
        rejects("length \"\" is not a number 0..32", () -> Ip4Prefix.parse("10.0.0.0/"));
        rejects("length \"08\" is not a number 0..32", () -> Ip4Prefix.parse("10.0.0.0/08"));
        rejects("length \"x\" is not a number 0..32", () -> Ip4Prefix.parse("10.0.0.0/x"));
        rejects("length \"100\" is not a number 0..32", () -> Ip4Prefix.parse("10.0.0.0/100"));
        rejects("length 33 is above 32", () -> Ip4Prefix.parse("10.0.0.0/33"));
        rejects("field 1 256 is above 255", () -> Ip4Prefix.parse("256.0.0.0/8"));
        rejects("prefix length 40 is outside 0..32", () -> new Ip4Prefix(Ip4Address.parse("1.2.3.4"), 40));
        rejects("prefix address is null", () -> new Ip4Prefix(null, 8));
    }
}
