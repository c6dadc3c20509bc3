package io.sluice.comms;

import io.sluice.core.wire.Ip4Address;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.UnknownHostException;

/** Between the stack's IPv4 addresses (an {@code int}, as on the wire) and {@code java.net}'s address objects. */
public final class SluiceAddresses {

    private SluiceAddresses() {
    }

    /**
     * @param bits an IPv4 address, most significant byte first
     * @return it as an {@link InetAddress}
     */
    public static InetAddress inet(int bits) {
        byte[] bytes = {(byte) (bits >>> 24), (byte) (bits >>> 16), (byte) (bits >>> 8), (byte) bits};
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new AssertionError("four bytes are always an IPv4 address", e);
        }
    }

    /**
     * @param bits an IPv4 address
     * @param port a port
     * @return both as a socket address
     */
    public static InetSocketAddress socketAddress(int bits, int port) {
        return new InetSocketAddress(inet(bits), port);
    }

    /**
     * @param address an address; null or the wildcard means any of the stack's
     * @return its bits
     * @throws SocketException for an IPv6 address (the stack speaks IPv4 only)
     */
    public static int bits(InetAddress address) throws SocketException {
        if (address == null || address.isAnyLocalAddress()) {
            return Ip4Address.ANY;
        }
        if (!(address instanceof Inet4Address)) {
            throw new SocketException(address + ": Sluice speaks IPv4 only");
        }
        byte[] b = address.getAddress();
        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | b[3] & 0xff;
    }
}
