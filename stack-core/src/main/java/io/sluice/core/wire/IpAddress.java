package io.sluice.core.wire;

/**
 * An IP address as a value, for configuration, tables and the CLI. Sealed so that code which switches over the
 * kinds of address is checked by the compiler when IPv6 ({@code Ip6Address}) joins {@link Ip4Address} here.
 */
public sealed interface IpAddress permits Ip4Address {

    /** Address width in bits: 32 for IPv4. */
    int bitLength();

    /** The address bytes in network order. */
    byte[] toBytes();

    /** Whether this is a multicast address. */
    boolean isMulticast();

    /** Whether this is a loopback address. */
    boolean isLoopback();

    /**
     * Parses an address of any supported family.
     *
     * @throws IllegalArgumentException naming the input and what is wrong with it (IPv6 text is recognised and
     *     refused as not supported yet)
     */
    static IpAddress parse(String text) {
        if (text.indexOf(':') >= 0) {
            throw new IllegalArgumentException("IPv6 addresses are not supported yet: \"" + text + "\"");
        }
        return Ip4Address.parse(text);
    }
}
