package io.sluice.netty;

import io.netty.channel.ConnectTimeoutException;
import io.sluice.comms.SluiceAddresses;
import io.sluice.comms.SluiceException;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.channels.UnsupportedAddressTypeException;

/** The {@code java.net} and Netty exceptions Netty programs test for, made from comms-lib's {@link SluiceException}. */
final class SluiceErrors {

    private SluiceErrors() {
    }

    /**
     * @param e a comms-lib failure
     * @param connecting whether it ended a connect (TIMED_OUT is then Netty's {@link ConnectTimeoutException})
     * @return what a Netty program expects for it, with {@code e} as the cause
     */
    static Throwable translate(Throwable e, boolean connecting) {
        if (!(e instanceof SluiceException sluice)) {
            return e;
        }
        IOException translated = switch (sluice.code()) {
            case REFUSED -> new ConnectException("Connection refused");
            case TIMED_OUT -> connecting ? new ConnectTimeoutException("connection timed out: " + e.getMessage())
                    : null;
            case UNREACHABLE -> new NoRouteToHostException("No route to host");
            case RESET -> new IOException("Connection reset by peer");
            case ADDRESS -> connecting ? null : new BindException("Address already in use or not the"
                    + " stack's: " + e.getMessage());
            default -> null;
        };
        if (translated == null) {
            return e;
        }
        translated.initCause(e);
        return translated;
    }

    /**
     * @param address a channel's local or remote address
     * @return it as an IPv4 socket address
     * @throws UnsupportedAddressTypeException for anything but an {@link InetSocketAddress}
     * @throws UnresolvedAddressException for an unresolved one
     * @throws SocketException for an IPv6 address, saying Sluice speaks IPv4 only
     */
    static InetSocketAddress ip4(SocketAddress address) throws SocketException {
        if (!(address instanceof InetSocketAddress inet)) {
            throw new UnsupportedAddressTypeException();
        }
        if (inet.isUnresolved()) {
            throw new UnresolvedAddressException();
        }
        if (!(inet.getAddress() instanceof Inet4Address) && !inet.getAddress().isAnyLocalAddress()) {
            throw new SocketException(inet + ": Sluice speaks IPv4 only");
        }
        return inet;
    }

    /** @return the stack's bits for an address checked by {@link #ip4} */
    static int bits(InetSocketAddress address) throws SocketException {
        return SluiceAddresses.bits(address.getAddress());
    }
}
