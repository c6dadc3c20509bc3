package io.sluice.core.tcp.conn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.core.wire.Tcp;
import org.junit.jupiter.api.Test;

/**
 * Packet-level tests of loss recovery with SACK: RFC 6675's recovery (retransmitting exactly the holes), go-back
 * after a timeout skipping SACKed data, RACK's time-based loss marking (RFC 8985 §6) and the tail loss probe (§7).
 * Timestamps are off so that the RTT is the 10 ms the handshake measured; segments are 1000 bytes.
 */
class TcpConnectionLossRecoveryTest extends ScriptedConnectionTest {

    private static final TcpSettings RACK = TcpSettings.defaults().withMss(1000).withOptions(false, false, true);
    private static final TcpSettings SACK_ONLY = RACK.withRackTlp(false);

    /** Sends {@code segments} full segments (ISS + 1 onwards) at the current time into a 60000-byte peer window. */
    private void sendSegments(int segments) {
        in(ACK, IRS + 1, ISS + 1, 60000);
        sendBuffer.write(bytes(1000 * segments, 0));
        conn.poll(now);
        assertEquals(segments, out.size());
        out.clear();
    }

    private void sackAck(int ack, int... edges) {
        in(ACK, IRS + 1, ack, 60000, sackOptions(edges), new byte[0]);
    }

    @Test
    void sackRecoveryRetransmitsExactlyTheHolesAndNeverSackedData() {
        established(SACK_ONLY, true);
        assertTrue(conn.sackPermitted());
        assertFalse(conn.rackTlp());
        sendSegments(6); // [1001, 7001) relative to ISS; the first and the third segments are lost
        now += 10 * MS;
        sackAck(ISS + 1, ISS + 1001, ISS + 2001);
        sackAck(ISS + 1, ISS + 3001, ISS + 4001, ISS + 1001, ISS + 2001);
        expectNothing(); // two ACKs newly SACKing data: below DupThresh, and IsLost() needs more than 2 SMSS above
        assertFalse(conn.inFastRecovery());
        sackAck(ISS + 1, ISS + 3001, ISS + 5001, ISS + 1001, ISS + 2001);
        assertTrue(conn.inFastRecovery()); // the third: RFC 6675 §5 step 4
        expect(ACK, ISS + 1, IRS + 1, 8000, 1000); // step 4.3: the first hole at once
        expect(ACK, ISS + 2001, IRS + 1, 8000, 1000); // NextSeg rule 3: the other hole below the highest SACK
        expectNothing(); // nothing else unSACKed below SND.NXT's last segment, no new data, rescue not due yet
        assertEquals(3000, conn.sackedBytes());
        sackAck(ISS + 1, ISS + 3001, ISS + 6001, ISS + 1001, ISS + 2001);
        expectNothing();
        sackAck(ISS + 2001, ISS + 3001, ISS + 6001); // the first repair arrived: a partial ACK
        // NextSeg rule 4, once per recovery once the first repair is acknowledged: the rescue retransmission of the
        // highest unSACKed segment (here the second hole again, still not SACKed data).
        expect(ACK, ISS + 2001, IRS + 1, 8000, 1000);
        expectNothing();
        assertTrue(conn.inFastRecovery());
        sackAck(ISS + 6001);
        assertFalse(conn.inFastRecovery()); // RecoveryPoint reached
        expectNothing();
        assertEquals(1, conn.sackRecoveries());
        assertEquals(3, conn.retransmittedSegments());
        assertEquals(0, conn.timeouts());
        assertEquals(0, conn.sackedBytes());
        assertEquals(TcpConnection.NO_DEADLINE, conn.nextDeadline());
    }

    @Test
    void goBackAfterATimeoutSkipsSackedData() {
        established(SACK_ONLY, true);
        sendSegments(3);
        now += 10 * MS;
        sackAck(ISS + 1, ISS + 1001, ISS + 2001); // the second segment arrived, the first and the third did not
        expectNothing();
        now = conn.nextDeadline();
        assertEquals(210 * MS, now); // the RTO from the 10 ms sample, at its 200 ms floor, from the last send
        conn.onTimer(now);
        expect(ACK, ISS + 1, IRS + 1, 8000, 1000);
        expectNothing(); // cwnd is one segment
        now += 10 * MS;
        sackAck(ISS + 1001, ISS + 1001, ISS + 2001);
        expect(ACK | Tcp.PSH, ISS + 2001, IRS + 1, 8000, 1000); // not the SACKed second segment
        expectNothing();
        sackAck(ISS + 3001);
        assertEquals(2, conn.retransmittedSegments());
        assertEquals(1, conn.timeouts());
        assertEquals(TcpConnection.NO_DEADLINE, conn.nextDeadline());
    }

    @Test
    void rackMarksASegmentLostAfterTheReorderingWindowWithoutThreeDuplicateAcks() {
        established(RACK, true);
        assertTrue(conn.rackTlp());
        sendSegments(3); // sent at 10 ms; the handshake's RTT is 10 ms
        now = 20 * MS;
        sackAck(ISS + 1, ISS + 1001, ISS + 2001); // one duplicate ACK: the second segment arrived, RTT 10 ms
        expectNothing();
        // RFC 8985 §6.2: lost once RACK.rtt + reo_wnd (min RTT / 4) has passed since the first was sent, at 22.5 ms.
        long lossTime = 10 * MS + 10 * MS + 10 * MS / 4;
        assertEquals(lossTime, conn.nextDeadline());
        conn.onTimer(lossTime - 1);
        expectNothing();
        conn.onTimer(lossTime);
        expect(ACK, ISS + 1, IRS + 1, 8000, 1000); // only the first segment: the third was sent with the second
        expectNothing();
        assertEquals(1, conn.rackLosses());
        assertEquals(1, conn.sackRecoveries());
        assertEquals(1, conn.duplicateAcks());
        assertTrue(conn.inFastRecovery());
        now = 30 * MS;
        sackAck(ISS + 3001);
        assertFalse(conn.inFastRecovery());
        assertEquals(0, conn.timeouts());
        assertEquals(TcpConnection.NO_DEADLINE, conn.nextDeadline());
    }

    @Test
    void aDsackOfEveryRetransmissionUndoesTheWindowReduction() {
        established(RACK, true);
        sendSegments(3);
        long cwnd = conn.congestionControl().cwnd();
        now = 20 * MS;
        sackAck(ISS + 1, ISS + 1001, ISS + 2001);
        now = 10 * MS + 10 * MS + 10 * MS / 4;
        conn.onTimer(now);
        expect(ACK, ISS + 1, IRS + 1, 8000, 1000); // deemed lost by RACK, but it was only late
        assertTrue(conn.congestionControl().cwnd() < cwnd);
        now = 30 * MS;
        sackAck(ISS + 3001); // the original arrived: recovery ends
        assertFalse(conn.inFastRecovery());
        assertEquals(0, conn.spuriousRetransmissions());
        sackAck(ISS + 3001, ISS + 1, ISS + 1001); // then the retransmission, reported as a duplicate (RFC 2883)
        assertEquals(1, conn.spuriousRetransmissions());
        assertEquals(1, conn.congestionUndos());
        assertEquals(cwnd, conn.congestionControl().cwnd());
        assertEquals(Long.MAX_VALUE, conn.congestionControl().ssthresh());
        sackAck(ISS + 3001, ISS + 1, ISS + 1001); // the same report again changes nothing
        assertEquals(1, conn.spuriousRetransmissions());
    }

    @Test
    void aTailLossProbeResendsTheLastSegmentAfterThePtoAndItsDsackShowsNoLoss() {
        established(RACK, true);
        sendSegments(2); // at 10 ms: PTO = 2 SRTT = 20 ms as more than one segment is in flight (§7.2)
        assertEquals(30 * MS, conn.nextDeadline());
        long cwnd = conn.congestionControl().cwnd();
        now = 30 * MS;
        conn.onTimer(now - 1);
        expectNothing();
        conn.onTimer(now);
        expect(ACK | Tcp.PSH, ISS + 1001, IRS + 1, 8000, 1000); // no new data: the last segment again (§7.3)
        expectNothing();
        assertEquals(1, conn.tailLossProbes());
        assertEquals(now + 200 * MS, conn.nextDeadline()); // the RTO timer again
        now = 40 * MS;
        sackAck(ISS + 2001, ISS + 1001, ISS + 2001); // both copies arrived: a D-SACK of the probe
        assertEquals(ISS + 2001, conn.sndUna());
        assertEquals(cwnd, conn.congestionControl().cwnd()); // no loss, no reduction (§7.4.1)
        assertEquals(Long.MAX_VALUE, conn.congestionControl().ssthresh());
        assertEquals(TcpConnection.NO_DEADLINE, conn.nextDeadline());
        assertEquals(0, conn.timeouts());
    }

    @Test
    void aTailLossProbeThatRepairedALossReducesTheWindow() {
        established(RACK, true);
        sendSegments(2);
        now = 30 * MS;
        conn.onTimer(now);
        expect(ACK | Tcp.PSH, ISS + 1001, IRS + 1, 8000, 1000);
        now = 40 * MS;
        sackAck(ISS + 2001); // the probe's ACK: not yet beyond TLP.end_seq, so the episode stays open
        assertEquals(Long.MAX_VALUE, conn.congestionControl().ssthresh());
        sendBuffer.write(bytes(1000, 0));
        conn.poll(now);
        expect(ACK | Tcp.PSH, ISS + 2001, IRS + 1, 8000, 1000);
        now = 50 * MS;
        sackAck(ISS + 3001); // beyond TLP.end_seq without a D-SACK: only the probe arrived (§7.4.2)
        assertTrue(conn.congestionControl().ssthresh() < Long.MAX_VALUE);
        assertEquals(0, conn.timeouts());
    }

    @Test
    void afterTwoTimeoutsInARowSackedDataIsSentAgainInCaseThePeerReneged() {
        established(RACK, true);
        sendSegments(2);
        now = 20 * MS;
        sackAck(ISS + 1, ISS + 1001, ISS + 2001);
        now = conn.nextDeadline(); // RACK's reordering timer
        conn.onTimer(now);
        expect(ACK, ISS + 1, IRS + 1, 8000, 1000);
        now = conn.nextDeadline();
        assertEquals(210 * MS, now);
        conn.onTimer(now); // the first timeout: the SACKed segment is still trusted
        expect(ACK, ISS + 1, IRS + 1, 8000, 1000);
        expectNothing();
        assertEquals(1000, conn.sackedBytes());
        now = conn.nextDeadline();
        assertEquals(610 * MS, now); // backed off
        conn.onTimer(now); // the second in a row: the peer may have dropped what it SACKed (RFC 2018 §8)
        expect(ACK, ISS + 1, IRS + 1, 8000, 1000);
        expectNothing(); // one segment of window
        assertEquals(0, conn.sackedBytes());
        sackAck(ISS + 1001); // it had: only the first is acknowledged
        expect(ACK | Tcp.PSH, ISS + 1001, IRS + 1, 8000, 1000);
        sackAck(ISS + 2001);
        assertEquals(TcpConnection.NO_DEADLINE, conn.nextDeadline());
    }

    @Test
    void theSentSegmentLogHoldsTheSendBufferInHalfSegmentsWithinBounds() {
        assertEquals(128, SackRecovery.logCapacityFor(64 * 1024, 1448)); // 92 rounded up to a power of two
        assertEquals(64, SackRecovery.logCapacityFor(1000, 1448));
        assertEquals(1 << 14, SackRecovery.logCapacityFor(1 << 30, 64));
    }
}
