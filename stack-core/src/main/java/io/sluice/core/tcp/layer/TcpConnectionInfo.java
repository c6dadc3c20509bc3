package io.sluice.core.tcp.layer;

import io.sluice.core.tcp.conn.TcpConnection;
import io.sluice.core.wire.Ip4Address;

/**
 * One connection's state as {@code show tcp} prints it, read on the connection's worker (a copy: the connection
 * moves on). Times in microseconds, windows and sizes in bytes.
 *
 * @param worker the owning worker
 * @param local local address:port
 * @param remote remote address:port
 * @param state the RFC 9293 state
 * @param cwnd congestion window
 * @param ssthresh slow start threshold
 * @param srttMicros smoothed round-trip time (0 before the first sample)
 * @param rttvarMicros round-trip time variation
 * @param rtoMicros retransmission timeout
 * @param flightBytes bytes sent and not acknowledged (SND.NXT − SND.UNA)
 * @param sackedBytes bytes above SND.UNA the peer has SACKed
 * @param sendWindow the peer's window (scaled)
 * @param receiveWindow the window we advertise
 * @param sendShift the peer's window scale
 * @param receiveShift our window scale
 * @param mss the segment size in use
 * @param retransmits segments sent again
 * @param timeouts retransmission timeouts
 */
public record TcpConnectionInfo(int worker, String local, String remote, String state, long cwnd, long ssthresh,
        long srttMicros, long rttvarMicros, long rtoMicros, long flightBytes, long sackedBytes, long sendWindow,
        long receiveWindow, int sendShift, int receiveShift, int mss, long retransmits, long timeouts) {

    static TcpConnectionInfo of(int worker, TcpFlow flow) {
        TcpConnection c = flow.connection;
        return new TcpConnectionInfo(worker, Ip4Address.format(flow.localAddress()) + ":" + flow.localPort(),
                Ip4Address.format(flow.remoteAddress()) + ":" + flow.remotePort(), c.state().toString(),
                c.congestionControl().cwnd(), c.congestionControl().ssthresh(), c.rttEstimator().srtt() / 1000,
                c.rttEstimator().rttvar() / 1000, c.rttEstimator().rto() / 1000, c.sndNxt() - c.sndUna() & 0xffff_ffffL,
                c.sackedBytes(), c.sndWnd(), c.rcvWnd(), c.sndShift(), c.rcvShift(), c.mss(), c.retransmittedSegments(),
                c.timeouts());
    }
}
