package io.sluice.session.stack;

/**
 * One session as {@code show session} prints it: a copy taken on its worker's thread.
 *
 * @param handle the session's handle
 * @param appIndex the application's index
 * @param appName the application's name
 * @param appWorker the application worker that receives its events
 * @param stackWorker the stack worker that owns it
 * @param state the session's state ({@code CONNECTING}, {@code OPEN}, {@code PEER_CLOSED}, {@code CLOSING},
 *     {@code TRANSPORT_CLOSED})
 * @param localAddress local IPv4 address
 * @param localPort local port
 * @param remoteAddress remote IPv4 address
 * @param remotePort remote port
 * @param rxFill bytes waiting in the rx FIFO
 * @param txFill bytes in the tx FIFO (unsent or unacknowledged)
 * @param rxSize the rx FIFO's capacity
 * @param txSize the tx FIFO's capacity
 * @param segmentId the FIFO segment's id
 * @param tcpState the TCP connection's state as last published
 */
public record SessionInfo(long handle, int appIndex, String appName, int appWorker, int stackWorker, String state,
        int localAddress, int localPort, int remoteAddress, int remotePort, long rxFill, long txFill, long rxSize,
        long txSize, long segmentId, String tcpState) {
}
