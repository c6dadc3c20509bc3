package io.sluice.core.l4;

import io.sluice.core.wire.Ip4Address;

/**
 * An application's reusable holder for received datagrams: {@link UdpSocket#receive(UdpDatagram)} copies the payload
 * and the sender into it, so a receive loop allocates nothing. A datagram longer than the holder's capacity is cut
 * to it and {@link #truncated()} says so (as {@code recvfrom} with a short buffer).
 */
public final class UdpDatagram {

    private final byte[] payload;
    private int length;
    private int remoteAddress;
    private int remotePort;
    private boolean truncated;

    /** A holder for payloads of up to {@code capacity} bytes. */
    public UdpDatagram(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("datagram capacity " + capacity + " is negative");
        }
        this.payload = new byte[capacity];
    }

    /** The payload array; bytes {@code [0, length())} are the last datagram received. */
    public byte[] payload() {
        return payload;
    }

    /** Payload bytes of the last datagram received (after truncation). */
    public int length() {
        return length;
    }

    /** Source address of the last datagram received. */
    public int remoteAddress() {
        return remoteAddress;
    }

    /** Source port of the last datagram received. */
    public int remotePort() {
        return remotePort;
    }

    /** Whether the last datagram was longer than the holder and cut. */
    public boolean truncated() {
        return truncated;
    }

    void fill(DatagramSlot slot) {
        int n = Math.min(slot.length, payload.length);
        System.arraycopy(slot.payload, 0, payload, 0, n);
        length = n;
        truncated = n < slot.length;
        remoteAddress = slot.remoteAddress;
        remotePort = slot.remotePort;
    }

    @Override
    public String toString() {
        return length + " bytes from " + Ip4Address.format(remoteAddress) + ":" + remotePort
                + (truncated ? " (truncated)" : "");
    }
}
