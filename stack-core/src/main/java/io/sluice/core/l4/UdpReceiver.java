package io.sluice.core.l4;

/**
 * What a local UDP (address, port) is bound to in the {@link UdpPortTable}: an application's {@link UdpSocket} or
 * the built-in {@link UdpEchoService}. udp4-input tells them apart by type, so the set is closed.
 */
public sealed interface UdpReceiver permits UdpSocket, UdpEchoService {

    /** The bound local address, 0 for any. */
    int localAddress();

    /** The bound local port. */
    int localPort();
}
