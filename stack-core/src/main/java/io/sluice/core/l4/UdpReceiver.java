package io.sluice.core.l4;

/**
 * What a local UDP (address, port) is bound to in the {@link UdpPortTable}: an application's {@link UdpSocket} or
 * the built-in {@link UdpEchoService}. udp4-input tells them apart by type, so the set is closed.
 */
public abstract sealed class UdpReceiver permits UdpSocket, UdpEchoService {

    private final int localAddress;
    private final int localPort;

    UdpReceiver(int localAddress, int localPort) {
        this.localAddress = localAddress;
        this.localPort = localPort;
    }

    /** The bound local address, 0 for any. */
    public final int localAddress() {
        return localAddress;
    }

    /** The bound local port. */
    public final int localPort() {
        return localPort;
    }

    /** "address:port" as people write it. */
    public final String localEndpoint() {
        return UdpPortTable.endpoint(localAddress, localPort);
    }
}
