package io.sluice.core.l4;

import io.sluice.core.wire.Icmp4;
import io.sluice.core.wire.Ip4Address;

/**
 * An ICMP error the stack received about a datagram a socket sent: its type and code, and the remote end the quoted
 * datagram was sent to. Port unreachable ({@code type 3, code 3}) is what a kernel socket reports as
 * {@code ECONNREFUSED}.
 */
public record IcmpErrorReport(int type, int code, int remoteAddress, int remotePort) {

    /** Whether this is a port unreachable (the peer has no socket on that port). */
    public boolean isPortUnreachable() {
        return type == Icmp4.TYPE_DESTINATION_UNREACHABLE && code == Icmp4.CODE_PORT_UNREACHABLE;
    }

    @Override
    public String toString() {
        return "ICMP type " + type + " code " + code + " from " + Ip4Address.format(remoteAddress) + ":" + remotePort;
    }
}
