package io.sluice.core.wire;

/**
 * An IPv4 address as a value: the 32 bits in an {@code int}, first byte on the wire in bits 31..24. The data path
 * passes the bare {@code int} ({@link Ipv4#source}) and uses the static tests; this record is for configuration,
 * tables and the CLI.
 *
 * <p>Special ranges (RFC 6890): {@code 0.0.0.0/8} "this network", {@code 10/8}, {@code 172.16/12},
 * {@code 192.168/16} private (RFC 1918), {@code 127/8} loopback, {@code 169.254/16} link local (RFC 3927),
 * {@code 198.18/15} benchmarking (RFC 2544), {@code 224/4} multicast (RFC 5771), {@code 255.255.255.255} limited
 * broadcast (RFC 919).
 *
 * @param bits the address
 */
public record Ip4Address(int bits) implements IpAddress {

    /** {@code 0.0.0.0}. */
    public static final int ANY = 0;
    /** {@code 255.255.255.255}, the limited broadcast address. */
    public static final int LIMITED_BROADCAST = 0xffff_ffff;

    /**
     * Parses a dotted quad strictly: exactly four decimal fields 0–255, no sign, no spaces, no leading zeros (which
     * some parsers read as octal), e.g. {@code 198.18.0.1}.
     *
     * @throws IllegalArgumentException naming the input and the faulty field
     */
    public static Ip4Address parse(String text) {
        int bits = 0;
        int field = 0;
        int start = 0;
        while (true) {
            int end = text.indexOf('.', start);
            if (end < 0) {
                end = text.length();
            }
            if (field == 4) {
                throw new IllegalArgumentException("not an IPv4 address: \"" + text + "\": more than 4 fields");
            }
            bits = bits << 8 | parseField(text, start, end, field + 1);
            field++;
            if (end == text.length()) {
                break;
            }
            start = end + 1;
        }
        if (field != 4) {
            throw new IllegalArgumentException("not an IPv4 address: \"" + text + "\": " + field
                    + (field == 1 ? " field" : " fields") + ", expected 4 separated by '.'");
        }
        return new Ip4Address(bits);
    }

    private static int parseField(String text, int start, int end, int number) {
        if (start == end) {
            throw new IllegalArgumentException("not an IPv4 address: \"" + text + "\": field " + number
                    + " is empty");
        }
        if (end - start > 3) {
            throw new IllegalArgumentException("not an IPv4 address: \"" + text + "\": field " + number + " \""
                    + text.substring(start, end) + "\" is too long");
        }
        int value = 0;
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                throw new IllegalArgumentException("not an IPv4 address: \"" + text + "\": field " + number + " \""
                        + text.substring(start, end) + "\" is not a decimal number");
            }
            value = value * 10 + (c - '0');
        }
        if (end - start > 1 && text.charAt(start) == '0') {
            throw new IllegalArgumentException("not an IPv4 address: \"" + text + "\": field " + number + " \""
                    + text.substring(start, end) + "\" has a leading zero");
        }
        if (value > 255) {
            throw new IllegalArgumentException("not an IPv4 address: \"" + text + "\": field " + number + " "
                    + value + " is above 255");
        }
        return value;
    }

    /** The address of four bytes, {@code a.b.c.d}. */
    public static Ip4Address of(int a, int b, int c, int d) {
        return new Ip4Address((a & 0xff) << 24 | (b & 0xff) << 16 | (c & 0xff) << 8 | (d & 0xff));
    }

    /** Formats {@code bits} as a dotted quad. */
    public static String format(int bits) {
        return (bits >>> 24) + "." + (bits >>> 16 & 0xff) + "." + (bits >>> 8 & 0xff) + "." + (bits & 0xff);
    }

    /** The netmask of a prefix length, {@code 0 ≤ length ≤ 32}: 24 gives {@code 255.255.255.0}. */
    public static int netmask(int prefixLength) {
        if (prefixLength < 0 || prefixLength > 32) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " is outside 0..32");
        }
        return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
    }

    /** The prefix length of a contiguous netmask, or -1 if the mask's ones are not contiguous from the top. */
    public static int prefixLength(int netmask) {
        int length = Integer.numberOfLeadingZeros(~netmask);
        return netmask(length) == netmask ? length : -1;
    }

    /** Whether {@code bits} is in {@code 127.0.0.0/8}. */
    public static boolean isLoopback(int bits) {
        return bits >>> 24 == 127;
    }

    /** Whether {@code bits} is in {@code 224.0.0.0/4}. */
    public static boolean isMulticast(int bits) {
        return bits >>> 28 == 0xe;
    }

    /** Whether {@code bits} is private (RFC 1918: 10/8, 172.16/12, 192.168/16). */
    public static boolean isPrivate(int bits) {
        return bits >>> 24 == 10 || bits >>> 20 == (172 << 4 | 1) || bits >>> 16 == (192 << 8 | 168);
    }

    /** Whether {@code bits} is in the benchmarking range {@code 198.18.0.0/15} (RFC 2544). */
    public static boolean isBenchmarking(int bits) {
        return bits >>> 17 == (198 << 7 | 18 >>> 1);
    }

    /** Whether {@code bits} is link local, {@code 169.254.0.0/16} (RFC 3927). */
    public static boolean isLinkLocal(int bits) {
        return bits >>> 16 == (169 << 8 | 254);
    }

    @Override
    public int bitLength() {
        return 32;
    }

    @Override
    public byte[] toBytes() {
        return new byte[] {(byte) (bits >>> 24), (byte) (bits >>> 16), (byte) (bits >>> 8), (byte) bits};
    }

    @Override
    public boolean isMulticast() {
        return isMulticast(bits);
    }

    @Override
    public boolean isLoopback() {
        return isLoopback(bits);
    }

    /** Whether this is the limited broadcast address. */
    public boolean isLimitedBroadcast() {
        return bits == LIMITED_BROADCAST;
    }

    /** Whether this is private (RFC 1918). */
    public boolean isPrivate() {
        return isPrivate(bits);
    }

    /** Whether this is in {@code 198.18.0.0/15} (RFC 2544). */
    public boolean isBenchmarking() {
        return isBenchmarking(bits);
    }

    /** Whether this is link local. */
    public boolean isLinkLocal() {
        return isLinkLocal(bits);
    }

    /** Whether this is {@code 0.0.0.0}. */
    public boolean isUnspecified() {
        return bits == ANY;
    }

    @Override
    public String toString() {
        return format(bits);
    }
}
