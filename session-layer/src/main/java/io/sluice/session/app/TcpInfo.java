package io.sluice.session.app;

import io.sluice.core.tcp.conn.TcpState;
import io.sluice.session.msg.SessionMessage;
import java.lang.foreign.MemorySegment;

/**
 * A session's TCP numbers as the stack's worker read them when it answered GET_INFO (they move on at once).
 *
 * @param state the TCP state, or null for a cut-through session (no TCP between the two applications)
 * @param srttMicros the smoothed round-trip time, 0 before the first sample
 * @param rttvarMicros its variation
 * @param congestionWindow bytes the sender may have in flight by congestion control
 * @param slowStartThreshold bytes, where slow start gives way to congestion avoidance
 * @param sendWindow the peer's advertised receive window, in bytes
 * @param mss the maximum segment size sent
 * @param retransmittedSegments segments sent again so far
 */
public record TcpInfo(TcpState state, long srttMicros, long rttvarMicros, long congestionWindow,
        long slowStartThreshold, long sendWindow, int mss, long retransmittedSegments) {

    /** @return whether the session is cut through shared memory (no TCP, every number 0) */
    public boolean isCutThrough() {
        return state == null;
    }

    /** Reads an INFO_REPLY. */
    static TcpInfo read(MemorySegment m, long at) {
        int state = SessionMessage.value(m, at);
        if (state < 0 || state >= TcpState.values().length) {
            return new TcpInfo(null, 0, 0, 0, 0, 0, 0, 0);
        }
        return new TcpInfo(TcpState.values()[state], SessionMessage.tcpInfo(m, at, 0), SessionMessage.tcpInfo(m, at, 1),
                SessionMessage.tcpInfo(m, at, 2), SessionMessage.tcpInfo(m, at, 3), SessionMessage.tcpInfo(m, at, 4),
                SessionMessage.port(m, at), SessionMessage.otherHandle(m, at));
    }
}
