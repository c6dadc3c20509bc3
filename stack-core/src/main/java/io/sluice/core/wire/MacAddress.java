package io.sluice.core.wire;

/**
 * A 48-bit IEEE 802 MAC address as a value: the 48 bits in the low bits of a {@code long}, first byte on the wire
 * in bits 47..40 (so {@code 02:00:00:00:00:01} is {@code 0x0200_0000_0001L}). The data path passes the bare
 * {@code long} ({@link Ethernet#source}) and uses the static tests; this record is for configuration, tables and
 * the CLI.
 *
 * @param bits the address, {@code 0 ≤ bits < 2^48}
 */
public record MacAddress(long bits) {

    /** The broadcast address {@code ff:ff:ff:ff:ff:ff}. */
    public static final long BROADCAST = 0xffff_ffff_ffffL;
    /** The group bit (I/G), the least significant bit of the first byte. */
    public static final long GROUP_BIT = 0x0100_0000_0000L;
    /** The locally administered bit (U/L), the second least significant bit of the first byte. */
    public static final long LOCAL_BIT = 0x0200_0000_0000L;

    /** Validates the range. */
    public MacAddress {
        if (bits < 0 || bits > BROADCAST) {
            throw new IllegalArgumentException("MAC address wider than 48 bits: 0x" + Long.toHexString(bits));
        }
    }

    /**
     * Parses six groups of two hexadecimal digits separated by {@code ':'} (or all by {@code '-'}), e.g.
     * {@code 02:00:00:00:00:01}.
     *
     * @throws IllegalArgumentException naming the input and what is wrong with it
     */
    public static MacAddress parse(String text) {
        if (text.length() != 17) {
            throw new IllegalArgumentException("not a MAC address: \"" + text
                    + "\": expected 6 groups of 2 hex digits like 02:00:00:00:00:01");
        }
        char separator = text.charAt(2);
        if (separator != ':' && separator != '-') {
            throw new IllegalArgumentException("not a MAC address: \"" + text + "\": groups must be separated by ':'");
        }
        long bits = 0;
        for (int group = 0; group < 6; group++) {
            int at = group * 3;
            if (group > 0 && text.charAt(at - 1) != separator) {
                throw new IllegalArgumentException("not a MAC address: \"" + text + "\": expected '" + separator
                        + "' at index " + (at - 1));
            }
            int high = Character.digit(text.charAt(at), 16);
            int low = Character.digit(text.charAt(at + 1), 16);
            if (high < 0 || low < 0) {
                throw new IllegalArgumentException("not a MAC address: \"" + text + "\": group " + (group + 1)
                        + " \"" + text.substring(at, at + 2) + "\" is not hexadecimal");
            }
            bits = bits << 8 | high << 4 | low;
        }
        return new MacAddress(bits);
    }

    /** Whether {@code bits} is a group (multicast) address; broadcast included. */
    public static boolean isMulticast(long bits) {
        return (bits & GROUP_BIT) != 0;
    }

    /** Whether {@code bits} is the broadcast address. */
    public static boolean isBroadcast(long bits) {
        return bits == BROADCAST;
    }

    /** Whether this is a group (multicast) address; broadcast included. */
    public boolean isMulticast() {
        return isMulticast(bits);
    }

    /** Whether this is the broadcast address. */
    public boolean isBroadcast() {
        return isBroadcast(bits);
    }

    /** Whether this is a locally administered address. */
    public boolean isLocallyAdministered() {
        return (bits & LOCAL_BIT) != 0;
    }

    /** Formats {@code bits} as {@code 02:00:00:00:00:01}, lower case. */
    public static String format(long bits) {
        StringBuilder out = new StringBuilder(17);
        for (int shift = 40; shift >= 0; shift -= 8) {
            int b = (int) (bits >>> shift) & 0xff;
            out.append(Character.forDigit(b >>> 4, 16)).append(Character.forDigit(b & 0xf, 16));
            if (shift > 0) {
                out.append(':');
            }
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return format(bits);
    }
}
