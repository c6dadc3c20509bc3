package io.sluice.core.wire;

/**
 * An IPv4 address with a prefix length, {@code 198.18.0.1/15}. The address keeps its host bits, so the same type
 * holds an interface address ({@code 198.18.0.1/15}: this host, on that network) and a route
 * ({@code 198.18.0.0/15}, {@link #isNetwork()}); {@link #network()} clears them.
 *
 * @param address the address, host bits included
 * @param length the prefix length, {@code 0 ≤ length ≤ 32}
 */
public record Ip4Prefix(Ip4Address address, int length) {

    /** Validates the length. */
    public Ip4Prefix {
        if (address == null) {
            throw new IllegalArgumentException("prefix address is null");
        }
        if (length < 0 || length > 32) {
            throw new IllegalArgumentException("prefix length " + length + " is outside 0..32");
        }
    }

    /**
     * Parses {@code a.b.c.d/n}: a strict dotted quad ({@link Ip4Address#parse}), then a decimal length 0–32
     * without leading zeros.
     *
     * @throws IllegalArgumentException naming the input and what is wrong with it
     */
    public static Ip4Prefix parse(String text) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("not an IPv4 prefix: \"" + text + "\": expected address/length");
        }
        Ip4Address address = Ip4Address.parse(text.substring(0, slash));
        String digits = text.substring(slash + 1);
        if (digits.isEmpty() || digits.length() > 2 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')
                || (digits.length() == 2 && digits.charAt(0) == '0')) {
            throw new IllegalArgumentException("not an IPv4 prefix: \"" + text + "\": length \"" + digits
                    + "\" is not a number 0..32");
        }
        int length = Integer.parseInt(digits);
        if (length > 32) {
            throw new IllegalArgumentException("not an IPv4 prefix: \"" + text + "\": length " + length
                    + " is above 32");
        }
        return new Ip4Prefix(address, length);
    }

    /** The netmask. */
    public int netmask() {
        return Ip4Address.netmask(length);
    }

    /** The network: the address with its host bits cleared, same length. */
    public Ip4Prefix network() {
        return new Ip4Prefix(new Ip4Address(address.bits() & netmask()), length);
    }

    /** Whether the address has no host bits set. */
    public boolean isNetwork() {
        return (address.bits() & ~netmask()) == 0;
    }

    /** The directed broadcast address of the network (all host bits set). */
    public Ip4Address broadcast() {
        return new Ip4Address(address.bits() | ~netmask());
    }

    /** Whether {@code bits} is inside this prefix. Allocation-free, for the data path. */
    public boolean contains(int bits) {
        return ((bits ^ address.bits()) & netmask()) == 0;
    }

    /** Whether {@code other} is inside this prefix. */
    public boolean contains(Ip4Address other) {
        return contains(other.bits());
    }

    @Override
    public String toString() {
        return address + "/" + length;
    }
}
