package io.sluice.core.l4;

/**
 * One preallocated datagram of a socket's queue: payload bytes and the remote end (the source of a received
 * datagram, the destination of one to send). Slots circulate between a socket's free and ready queues, so queuing a
 * datagram never allocates; whoever holds a slot owns it until it puts it on a queue (the queue orders memory).
 */
final class DatagramSlot {

    final byte[] payload;
    int length;
    int remoteAddress;
    int remotePort;

    DatagramSlot(int capacity) {
        this.payload = new byte[capacity];
    }
}
