package io.sluice.core.tcp.conn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.core.wire.Tcp;
import io.sluice.core.wire.TcpOptions;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** Packet-level tests of the state machine's handshake, data, closing, timers and RFC 5961 defences. */
class TcpConnectionTest extends ScriptedConnectionTest {

    // ---- opening ----

    @Test
    void activeOpenSendsSynWithOptionsAndEstablishesOnSynAck() {
        make(TcpSettings.defaults().withMss(1000)).open(now, ISS);
        assertEquals(TcpState.SYN_SENT, conn.state());
        SegmentLog.Seg syn = expect(Tcp.SYN, ISS, 0, 8000, 0);
        TcpOptions offered = syn.parsedOptions();
        assertEquals(1000, offered.mss());
        assertEquals(0, offered.windowShift()); // 8000 bytes need no scaling, but scaling is offered
        assertTrue(offered.hasWindowScale());
        assertTrue(offered.sackPermitted());
        assertTrue(offered.hasTimestamps());
        assertEquals(0, offered.timestampEcho());
        assertEquals(1000 * MS, conn.nextDeadline());

        now = 10 * MS;
        in(Tcp.SYN | ACK, IRS, ISS + 1, 6000, synOptions(1460, 7, true, true, 777, offered.timestampValue()),
                new byte[0]);
        assertEquals(TcpState.ESTABLISHED, conn.state());
        SegmentLog.Seg ack = expect(ACK, ISS + 1, IRS + 1, 8000, 0);
        assertEquals(777, ack.parsedOptions().timestampEcho());
        assertTrue(conn.windowScaling());
        assertEquals(7, conn.sndShift());
        assertEquals(6000, conn.sndWnd()); // a SYN's window is never scaled
        assertTrue(conn.timestamps());
        assertTrue(conn.sackPermitted());
        assertEquals(1000, conn.mss());
        assertEquals(1000 - 12, conn.congestionControl().smss());
        assertTrue(conn.rttEstimator().hasSample());
        assertEquals(10 * MS, conn.rttEstimator().srtt());
        assertEquals(TcpConnection.NO_DEADLINE, conn.nextDeadline());
    }

    @Test
    void windowScaleIsOfferedForLargeBuffersAndUsedAfterTheHandshake() {
        receiveBuffer = new RingReceiveBuffer(1 << 20);
        make(TcpSettings.defaults().withMss(1000)).open(now, ISS);
        SegmentLog.Seg syn = expect(Tcp.SYN, ISS, 0, 65535, 0);
        assertEquals(5, syn.parsedOptions().windowShift()); // 2^20 >> 5 = 32768 fits the 16-bit field
        in(Tcp.SYN | ACK, IRS, ISS + 1, 6000, synOptions(1000, 2, false, false, 0, 0), new byte[0]);
        assertFalse(conn.timestamps()); // the peer did not agree
        expectAck(ISS + 1, IRS + 1, (1 << 20) >> 5);
        in(ACK, IRS + 1, ISS + 1, 100); // a later window is scaled by the peer's shift
        assertEquals(400, conn.sndWnd());
    }

    @Test
    void peerWithoutWindowScaleTurnsScalingOffBothWays() {
        receiveBuffer = new RingReceiveBuffer(1 << 20);
        make(TcpSettings.defaults().withMss(1000)).open(now, ISS);
        out.clear();
        in(Tcp.SYN | ACK, IRS, ISS + 1, 6000, synOptions(1000, TcpOptions.NO_WINDOW_SCALE, false, false, 0, 0),
                new byte[0]);
        assertFalse(conn.windowScaling());
        expectAck(ISS + 1, IRS + 1, 65535);
    }

    @Test
    void passiveOpenAnswersSynWithSynAckAndEstablishesOnAck() {
        make(PLAIN).listen(ISS);
        assertEquals(TcpState.LISTEN, conn.state());
        in(Tcp.SYN, IRS, 0, 6000, synOptions(1000, TcpOptions.NO_WINDOW_SCALE, false, false, 0, 0), new byte[0]);
        assertEquals(TcpState.SYN_RECEIVED, conn.state());
        SegmentLog.Seg synAck = expect(Tcp.SYN | ACK, ISS, IRS + 1, 8000, 0);
        assertFalse(synAck.parsedOptions().hasTimestamps());
        assertFalse(synAck.parsedOptions().hasWindowScale());

        in(Tcp.SYN, IRS, 0, 6000, synOptions(1000, TcpOptions.NO_WINDOW_SCALE, false, false, 0, 0), new byte[0]);
        expect(Tcp.SYN | ACK, ISS, IRS + 1, 8000, 0); // the SYN again: our SYN-ACK was lost

        in(ACK, IRS + 1, ISS + 1, 6000);
        assertEquals(TcpState.ESTABLISHED, conn.state());
        assertEquals(ISS + 1, conn.sndUna());
        expectNothing();
    }

    @Test
    void passiveOpenOffersOnlyWhatTheSynOffered() {
        make(TcpSettings.defaults().withMss(1000)).listen(ISS);
        in(Tcp.SYN, IRS, 0, 6000, synOptions(1460, 3, true, true, 4242, 0), new byte[0]);
        TcpOptions answered = expect(Tcp.SYN | ACK, ISS, IRS + 1, 8000, 0).parsedOptions();
        assertEquals(1000, answered.mss());
        assertTrue(answered.sackPermitted());
        assertEquals(4242, answered.timestampEcho());
        assertEquals(0, answered.windowShift());
        assertEquals(3, conn.sndShift());
    }

    @Test
    void aSynCookieAckEstablishesWithTheAgreedOptionsAndTakesItsData() {
        make(TcpSettings.defaults().withMss(1000)).acceptCookie(now, ISS, IRS, 1460, 7, true, true, 4242, 8000);
        assertEquals(TcpState.SYN_RECEIVED, conn.state());
        expectNothing(); // the listener sent the SYN-ACK
        assertEquals(TcpConnection.NO_DEADLINE, conn.nextDeadline());
        assertEquals(ISS, conn.sndUna());
        assertEquals(ISS + 1, conn.sndNxt());
        assertEquals(IRS + 1, conn.rcvNxt());
        assertEquals(8000, conn.rcvWnd());

        now += 10 * MS;
        in(ACK | Tcp.PSH, IRS + 1, ISS + 1, 100, timestampOptions(4243, TcpConnection.timestampValue(0, ISS)),
                bytes(200, 7));
        assertEquals(TcpState.ESTABLISHED, conn.state());
        assertEquals(ISS + 1, conn.sndUna());
        assertTrue(conn.windowScaling());
        assertEquals(7, conn.sndShift());
        assertEquals(100 << 7, conn.sndWnd());
        assertEquals(TcpConnection.windowShiftFor(8000), conn.rcvShift());
        assertTrue(conn.timestamps());
        assertEquals(4243, conn.tsRecent());
        assertTrue(conn.sackPermitted());
        assertEquals(1000, conn.mss());
        assertEquals(10 * MS, conn.rttEstimator().srtt()); // from the SYN-ACK's timestamp, echoed
        assertEquals(IRS + 201, conn.rcvNxt());
        byte[] read = new byte[200];
        assertEquals(200, receiveBuffer.read(MemorySegment.ofArray(read), 0, 200));
        assertArrayEquals(bytes(200, 7), read);
        expectNothing(); // one segment: the ACK is delayed
        assertEquals(now + 40 * MS, conn.nextDeadline());
    }

    @Test
    void aSynCookieWithoutOptionsAgreesOnNone() {
        make(TcpSettings.defaults().withMss(1000)).acceptCookie(now, ISS, IRS, 536, TcpOptions.NO_WINDOW_SCALE,
                false, false, 0, 8000);
        in(ACK, IRS + 1, ISS + 1, 6000);
        assertEquals(TcpState.ESTABLISHED, conn.state());
        assertFalse(conn.windowScaling());
        assertFalse(conn.timestamps());
        assertFalse(conn.sackPermitted());
        assertEquals(536, conn.mss());
        assertEquals(6000, conn.sndWnd());
        expectNothing();
    }

    @Test
    void theWindowShiftIsTheSmallestThatCoversTheBuffer() {
        assertEquals(0, TcpConnection.windowShiftFor(65535));
        assertEquals(1, TcpConnection.windowShiftFor(65536));
        assertEquals(5, TcpConnection.windowShiftFor(1 << 20));
        assertEquals(14, TcpConnection.windowShiftFor(Integer.MAX_VALUE));
    }

    @Test
    void listenResetsAnAckAndIgnoresRstAndBareSegments() {
        make(PLAIN).listen(ISS);
        in(ACK, 7, 12345, 100);
        expect(Tcp.RST, 12345, 0, 0, 0);
        in(Tcp.RST, 7, 0, 0);
        in(0, 7, 0, 100);
        expectNothing();
        assertEquals(TcpState.LISTEN, conn.state());
    }

    @Test
    void synSentResetsAnUnacceptableAckAndHonoursOnlyAnAcceptableRst() {
        make(PLAIN).open(now, ISS);
        out.clear();
        in(ACK, IRS, ISS + 5, 100); // acknowledges something never sent
        expect(Tcp.RST, ISS + 5, 0, 0, 0);
        in(Tcp.RST, IRS, 0, 0); // RST without ACK: ignored (RFC 5961 §3.2)
        in(Tcp.RST | ACK, IRS, ISS, 0); // ACK of ISS does not acknowledge the SYN: ignored
        expectNothing();
        assertEquals(TcpState.SYN_SENT, conn.state());
        in(Tcp.RST | ACK, 0, ISS + 1, 0);
        assertEquals(TcpState.CLOSED, conn.state());
        assertEquals(CloseCause.REFUSED, conn.closeCause());
        assertEquals(TcpConnection.NO_DEADLINE, conn.nextDeadline());
    }

    @Test
    void simultaneousOpenGoesThroughSynReceived() {
        make(PLAIN).open(now, ISS);
        expect(Tcp.SYN, ISS, 0, 8000, 0);
        in(Tcp.SYN, IRS, 0, 6000, synOptions(1000, TcpOptions.NO_WINDOW_SCALE, false, false, 0, 0), new byte[0]);
        assertEquals(TcpState.SYN_RECEIVED, conn.state());
        expect(Tcp.SYN | ACK, ISS, IRS + 1, 8000, 0);
        // The peer's SYN-ACK (its answer to our SYN) completes the handshake.
        in(Tcp.SYN | ACK, IRS, ISS + 1, 6000, synOptions(1000, TcpOptions.NO_WINDOW_SCALE, false, false, 0, 0),
                new byte[0]);
        assertEquals(TcpState.ESTABLISHED, conn.state());
        assertEquals(ISS + 1, conn.sndUna());
        expectNothing();
    }

    @Test
    void synReceivedResetsAnUnacceptableAck() {
        make(PLAIN).listen(ISS);
        in(Tcp.SYN, IRS, 0, 6000, synOptions(1000, TcpOptions.NO_WINDOW_SCALE, false, false, 0, 0), new byte[0]);
        out.clear();
        in(ACK, IRS + 1, ISS + 2, 6000);
        expect(Tcp.RST, ISS + 2, 0, 0, 0);
        assertEquals(TcpState.SYN_RECEIVED, conn.state());
    }

    @Test
    void synRetransmitsWithBackoffAndGivesUp() {
        TcpSettings twice = new TcpSettings(1000, false, false, false, 30_000 * MS, 40 * MS, 2, "newreno");
        make(twice).open(now, ISS);
        expect(Tcp.SYN, ISS, 0, 8000, 0);
        conn.onTimer(999 * MS);
        expectNothing();
        now = 1000 * MS;
        conn.onTimer(now);
        expect(Tcp.SYN, ISS, 0, 8000, 0);
        assertEquals(now + 2000 * MS, conn.nextDeadline());
        now += 2000 * MS;
        conn.onTimer(now);
        expect(Tcp.SYN, ISS, 0, 8000, 0);
        assertEquals(now + 4000 * MS, conn.nextDeadline());
        now += 4000 * MS;
        conn.onTimer(now);
        expectNothing();
        assertEquals(TcpState.CLOSED, conn.state());
        assertEquals(CloseCause.TIMED_OUT, conn.closeCause());
    }

    @Test
    void aRetransmittedSynMakesTheFirstWindowOneSegmentAndTheRtoAtLeastThreeSeconds() {
        make(PLAIN).open(now, ISS);
        now = 1000 * MS;
        conn.onTimer(now);
        out.clear();
        now += 10 * MS;
        in(Tcp.SYN | ACK, IRS, ISS + 1, 6000, synOptions(1000, TcpOptions.NO_WINDOW_SCALE, false, false, 0, 0),
                new byte[0]);
        assertEquals(1000, conn.congestionControl().cwnd());
        assertEquals(3000 * MS, conn.rttEstimator().rto());
    }

    // ---- data ----

    @Test
    void dataBothWaysWithExactSequenceAckAndWindow() {
        established();
        conn.setNoDelay(true); // the short last segment goes at once (Nagle has its own test)
        sendBuffer.write(bytes(2500, 0));
        conn.poll(now);
        expect(ACK, ISS + 1, IRS + 1, 8000, 1000);
        expect(ACK, ISS + 1001, IRS + 1, 8000, 1000);
        SegmentLog.Seg last = expect(ACK | Tcp.PSH, ISS + 2001, IRS + 1, 8000, 500);
        assertArrayEquals(bytes(500, 2000), last.payload());
        assertEquals(ISS + 2501, conn.sndNxt());
        assertEquals(now + 200 * MS, conn.nextDeadline()); // RTO from the 10 ms handshake sample, at its floor

        now += 10 * MS;
        in(ACK, IRS + 1, ISS + 2501, 6000);
        assertEquals(ISS + 2501, conn.sndUna());
        assertEquals(0, sendBuffer.readableBytes());
        assertEquals(TcpConnection.NO_DEADLINE, conn.nextDeadline());
        expectNothing();

        in(ACK | Tcp.PSH, IRS + 1, ISS + 2501, 6000, bytes(300, 1));
        expectNothing(); // one segment: the ACK waits
        assertEquals(now + 40 * MS, conn.nextDeadline());
        in(ACK | Tcp.PSH, IRS + 301, ISS + 2501, 6000, bytes(300, 301));
        expectAck(ISS + 2501, IRS + 601, 7400); // the second segment is ACKed at once
        assertEquals(TcpConnection.NO_DEADLINE, conn.nextDeadline());
        byte[] read = new byte[600];
        assertEquals(600, receiveBuffer.read(MemorySegment.ofArray(read), 0, 600));
        assertArrayEquals(bytes(600, 1), read);

        in(ACK, IRS + 601, ISS + 2501, 6000, bytes(100, 0));
        expectNothing();
        now += 40 * MS;
        conn.onTimer(now - 1);
        expectNothing();
        conn.onTimer(now);
        expectAck(ISS + 2501, IRS + 701, 7900);
    }

    @Test
    void sendingStopsAtThePeerWindowAndResumesWhenItOpens() {
        established();
        sendBuffer.write(bytes(8000, 0));
        conn.poll(now);
        for (int i = 0; i < 6; i++) {
            expect(ACK, ISS + 1 + 1000 * i, IRS + 1, 8000, 1000);
        }
        expectNothing(); // 6000 window used up
        in(ACK, IRS + 1, ISS + 2001, 6000);
        expect(ACK, ISS + 6001, IRS + 1, 8000, 1000);
        expect(ACK | Tcp.PSH, ISS + 7001, IRS + 1, 8000, 1000);
    }

    @Test
    void outOfOrderDataIsHeldAndAcknowledgedWhenTheHoleFills() {
        established();
        in(ACK, IRS + 1001, ISS + 1, 6000, bytes(1000, 1000));
        expectAck(ISS + 1, IRS + 1, 8000); // duplicate ACK at once
        assertEquals(1, receiveBuffer.outOfOrderRangeCount());
        in(ACK, IRS + 1, ISS + 1, 6000, bytes(1000, 0));
        expectAck(ISS + 1, IRS + 2001, 6000); // the filled hole is ACKed at once
        byte[] read = new byte[2000];
        assertEquals(2000, receiveBuffer.read(MemorySegment.ofArray(read), 0, 2000));
        assertArrayEquals(bytes(2000, 0), read);
        assertEquals(1, conn.outOfOrderSegments());
    }

    @Test
    void outOfOrderDataIsReportedInSackBlocksNewestFirst() {
        make(TcpSettings.defaults().withMss(1000).withOptions(false, false, true)).open(now, ISS);
        out.clear();
        in(Tcp.SYN | ACK, IRS, ISS + 1, 6000, synOptions(1000, TcpOptions.NO_WINDOW_SCALE, true, false, 0, 0),
                new byte[0]);
        out.clear();
        in(ACK, IRS + 1001, ISS + 1, 6000, bytes(500, 0));
        in(ACK, IRS + 3001, ISS + 1, 6000, bytes(500, 0));
        out.take();
        TcpOptions sack = expect(ACK, ISS + 1, IRS + 1, 8000, 0).parsedOptions();
        assertEquals(2, sack.sackBlocks());
        assertEquals(IRS + 3001, sack.sackLeft(0));
        assertEquals(IRS + 3501, sack.sackRight(0));
        assertEquals(IRS + 1001, sack.sackLeft(1));
        assertEquals(IRS + 1501, sack.sackRight(1));
    }

    @Test
    void duplicateDataIsAcknowledgedAgainAndNotDeliveredTwice() {
        established();
        in(ACK, IRS + 1, ISS + 1, 6000, bytes(100, 0));
        in(ACK, IRS + 1, ISS + 1, 6000, bytes(100, 0));
        expectAck(ISS + 1, IRS + 101, 7900);
        assertEquals(100, receiveBuffer.readable());
        in(ACK, IRS + 51, ISS + 1, 6000, bytes(100, 50)); // half old, half new
        expectAck(ISS + 1, IRS + 151, 7850);
        assertEquals(150, receiveBuffer.readable());
    }

    @Test
    void dataReceivedTwiceIsReportedInADsackBlockFirstAndOnce() {
        established(TcpSettings.defaults().withMss(1000).withOptions(false, false, true), true);
        in(ACK, IRS + 1, ISS + 1, 6000, bytes(100, 0));
        in(ACK, IRS + 2001, ISS + 1, 6000, bytes(100, 0)); // out of order: ACK at once with its SACK block
        assertEquals(1, expect(ACK, ISS + 1, IRS + 101, 7900, 0).parsedOptions().sackBlocks());
        in(ACK, IRS + 1, ISS + 1, 6000, bytes(100, 0)); // all of it again
        TcpOptions dsack = expect(ACK, ISS + 1, IRS + 101, 7900, 0).parsedOptions();
        assertEquals(2, dsack.sackBlocks());
        assertEquals(IRS + 1, dsack.sackLeft(0)); // RFC 2883 §4: the duplicate first, below the ACK
        assertEquals(IRS + 101, dsack.sackRight(0));
        assertEquals(IRS + 2001, dsack.sackLeft(1));
        in(ACK, IRS + 51, ISS + 1, 6000, bytes(100, 50)); // half old, half new
        dsack = expect(ACK, ISS + 1, IRS + 151, 7850, 0).parsedOptions();
        assertEquals(IRS + 51, dsack.sackLeft(0));
        assertEquals(IRS + 101, dsack.sackRight(0));
        in(ACK, IRS + 151, ISS + 1, 6000, bytes(100, 150)); // ACKed at once: a hole is still open
        TcpOptions plain = expect(ACK, ISS + 1, IRS + 251, 7750, 0).parsedOptions();
        assertEquals(1, plain.sackBlocks()); // the duplicate was reported once
        assertEquals(IRS + 2001, plain.sackLeft(0));
    }

    @Test
    void aFullReceiveBufferAdvertisesZeroAndReopensWithAWindowUpdate() {
        receiveBuffer = new RingReceiveBuffer(2000);
        make(PLAIN).open(now, ISS);
        out.clear();
        in(Tcp.SYN | ACK, IRS, ISS + 1, 6000, synOptions(1000, TcpOptions.NO_WINDOW_SCALE, false, false, 0, 0),
                new byte[0]);
        expectAck(ISS + 1, IRS + 1, 2000);
        in(ACK, IRS + 1, ISS + 1, 6000, bytes(1000, 0));
        in(ACK, IRS + 1001, ISS + 1, 6000, bytes(1000, 0));
        expectAck(ISS + 1, IRS + 2001, 0);
        in(ACK, IRS + 2001, ISS + 1, 6000, bytes(1000, 0)); // into a zero window: refused, but ACKed
        expectAck(ISS + 1, IRS + 2001, 0);
        assertEquals(2000, receiveBuffer.readable());
        assertEquals(1, receiveBuffer.read(MemorySegment.ofArray(new byte[1]), 0, 1));
        conn.poll(now);
        expectNothing(); // one byte is not worth a window update (silly window avoidance)
        receiveBuffer.read(MemorySegment.ofArray(new byte[1999]), 0, 1999);
        conn.poll(now);
        expectAck(ISS + 1, IRS + 2001, 2000);
    }

    @Test
    void aZeroPeerWindowIsProbedUntilItOpens() {
        established();
        in(ACK, IRS + 1, ISS + 1, 0);
        sendBuffer.write(bytes(500, 0));
        conn.poll(now);
        expectNothing();
        long probeAt = conn.nextDeadline();
        assertEquals(now + 200 * MS, probeAt);
        now = probeAt;
        conn.onTimer(now);
        expectAck(ISS, IRS + 1, 8000); // an old sequence number: the peer must answer with its window
        assertEquals(1, conn.zeroWindowProbes());
        assertEquals(now + 400 * MS, conn.nextDeadline()); // backed off
        in(ACK, IRS + 1, ISS + 1, 1000);
        expect(ACK | Tcp.PSH, ISS + 1, IRS + 1, 8000, 500);
    }

    @Test
    void retransmissionAfterRtoGoesBackToSndUnaWithBackoff() {
        established();
        sendBuffer.write(bytes(3000, 0));
        conn.poll(now);
        assertEquals(3, out.size());
        out.clear();
        long first = now + 200 * MS;
        assertEquals(first, conn.nextDeadline());
        now = first;
        conn.onTimer(now);
        expect(ACK, ISS + 1, IRS + 1, 8000, 1000); // cwnd is one segment now
        expectNothing();
        assertEquals(1000, conn.congestionControl().cwnd());
        assertEquals(now + 400 * MS, conn.nextDeadline());
        now += 400 * MS;
        conn.onTimer(now);
        expect(ACK, ISS + 1, IRS + 1, 8000, 1000);
        assertEquals(now + 800 * MS, conn.nextDeadline());
        assertEquals(2, conn.timeouts());

        now += 5 * MS;
        in(ACK, IRS + 1, ISS + 1001, 6000); // slow start: two more segments, the rest of the go-back
        expect(ACK, ISS + 1001, IRS + 1, 8000, 1000);
        expect(ACK | Tcp.PSH, ISS + 2001, IRS + 1, 8000, 1000);
        assertEquals(4, conn.retransmittedSegments());
        in(ACK, IRS + 1, ISS + 3001, 6000);
        assertEquals(TcpConnection.NO_DEADLINE, conn.nextDeadline());
        // Karn: retransmitted data gives no sample, so the backed-off RTO stays until one that is not.
        assertEquals(2, conn.rttEstimator().backoffs());
        assertEquals(800 * MS, conn.rttEstimator().rto());
    }

    @Test
    void lateAcksOfTheFirstTransmissionStayAcceptableAfterAGoBack() {
        established();
        sendBuffer.write(bytes(3000, 0));
        conn.poll(now);
        out.clear();
        now += 200 * MS;
        conn.onTimer(now);
        out.clear();
        in(ACK, IRS + 1, ISS + 3001, 6000); // the originals arrived after all
        assertEquals(ISS + 3001, conn.sndUna());
        assertEquals(0, conn.challengeAcks());
        expectNothing();
    }

    @Test
    void threeDuplicateAcksTriggerFastRetransmitAndNewRenoRecovery() {
        established();
        in(ACK, IRS + 1, ISS + 1, 60000); // a wider peer window
        sendBuffer.write(bytes(6000, 0));
        conn.poll(now);
        assertEquals(6, out.size());
        out.clear();
        now += 10 * MS;
        in(ACK, IRS + 1, ISS + 1, 60000); // the first segment is lost; the others arrive
        in(ACK, IRS + 1, ISS + 1, 60000);
        expectNothing();
        in(ACK, IRS + 1, ISS + 1, 60000);
        assertTrue(conn.inFastRecovery());
        expect(ACK, ISS + 1, IRS + 1, 8000, 1000); // sent again at once, not after the RTO
        assertEquals(4200, conn.congestionControl().ssthresh()); // CUBIC's 0.7 of the 6000 in flight
        assertEquals(4200 + 3 * 1000, conn.congestionControl().cwnd()); // + 3 SMSS (RFC 5681 §3.2)
        in(ACK, IRS + 1, ISS + 2001, 60000); // partial: the second segment was lost too
        expect(ACK, ISS + 2001, IRS + 1, 8000, 1000);
        assertTrue(conn.inFastRecovery());
        in(ACK, IRS + 1, ISS + 6001, 60000); // full ACK ends recovery
        assertFalse(conn.inFastRecovery());
        assertEquals(2, conn.fastRetransmits());
        assertEquals(0, conn.timeouts());
        assertEquals(TcpConnection.NO_DEADLINE, conn.nextDeadline());
    }

    // ---- closing ----

    @Test
    void activeCloseThroughFinWait2AndTimeWaitToClosed() {
        established();
        conn.close(now);
        assertEquals(TcpState.FIN_WAIT_1, conn.state());
        expect(ACK | Tcp.FIN, ISS + 1, IRS + 1, 8000, 0);
        in(ACK, IRS + 1, ISS + 2, 6000);
        assertEquals(TcpState.FIN_WAIT_2, conn.state());
        expectNothing();
        in(ACK | Tcp.FIN, IRS + 1, ISS + 2, 6000);
        assertEquals(TcpState.TIME_WAIT, conn.state());
        expectAck(ISS + 2, IRS + 2, 8000);
        long end = now + 60_000 * MS;
        assertEquals(end, conn.nextDeadline());
        now += 1000 * MS;
        in(ACK | Tcp.FIN, IRS + 1, ISS + 2, 6000); // the FIN again: ACKed, and 2 MSL start over
        expectAck(ISS + 2, IRS + 2, 8000);
        end = now + 60_000 * MS;
        assertEquals(end, conn.nextDeadline());
        conn.onTimer(end - 1);
        assertEquals(TcpState.TIME_WAIT, conn.state());
        conn.onTimer(end);
        assertEquals(TcpState.CLOSED, conn.state());
        assertEquals(CloseCause.NONE, conn.closeCause());
        assertEquals(TcpConnection.NO_DEADLINE, conn.nextDeadline());
    }

    @Test
    void finFollowsTheDataAndFinWait1GoesStraightToTimeWaitOnFinAck() {
        established();
        sendBuffer.write(bytes(1500, 0));
        conn.close(now);
        expect(ACK, ISS + 1, IRS + 1, 8000, 1000);
        expect(ACK | Tcp.PSH | Tcp.FIN, ISS + 1001, IRS + 1, 8000, 500);
        in(ACK | Tcp.FIN, IRS + 1, ISS + 1502, 6000);
        assertEquals(TcpState.TIME_WAIT, conn.state());
        expectAck(ISS + 1502, IRS + 2, 8000);
    }

    @Test
    void passiveCloseThroughCloseWaitAndLastAck() {
        established();
        in(ACK | Tcp.FIN, IRS + 1, ISS + 1, 6000, bytes(10, 0));
        assertEquals(TcpState.CLOSE_WAIT, conn.state());
        expectAck(ISS + 1, IRS + 12, 7990);
        sendBuffer.write(bytes(10, 0)); // half-close: we may still send
        conn.poll(now);
        expect(ACK | Tcp.PSH, ISS + 1, IRS + 12, 7990, 10);
        conn.close(now);
        assertEquals(TcpState.LAST_ACK, conn.state());
        expect(ACK | Tcp.FIN, ISS + 11, IRS + 12, 7990, 0);
        in(ACK, IRS + 12, ISS + 11, 6000);
        assertEquals(TcpState.LAST_ACK, conn.state());
        in(ACK, IRS + 12, ISS + 12, 6000);
        assertEquals(TcpState.CLOSED, conn.state());
        assertEquals(CloseCause.NONE, conn.closeCause());
        expectNothing();
    }

    @Test
    void simultaneousCloseGoesThroughClosing() {
        established();
        conn.close(now);
        expect(ACK | Tcp.FIN, ISS + 1, IRS + 1, 8000, 0);
        in(ACK | Tcp.FIN, IRS + 1, ISS + 1, 6000); // the peer's FIN, not acknowledging ours
        assertEquals(TcpState.CLOSING, conn.state());
        expectAck(ISS + 2, IRS + 2, 8000);
        in(ACK, IRS + 2, ISS + 2, 6000);
        assertEquals(TcpState.TIME_WAIT, conn.state());
    }

    @Test
    void aFinBeyondAHoleCountsWhenTheHoleFills() {
        established();
        in(ACK | Tcp.FIN, IRS + 101, ISS + 1, 6000, bytes(100, 100));
        expectAck(ISS + 1, IRS + 1, 8000);
        assertEquals(TcpState.ESTABLISHED, conn.state());
        in(ACK, IRS + 1, ISS + 1, 6000, bytes(100, 0));
        assertEquals(TcpState.CLOSE_WAIT, conn.state());
        expectAck(ISS + 1, IRS + 202, 7800);
    }

    @Test
    void finIsRetransmittedOnTimeout() {
        established();
        conn.close(now);
        out.clear();
        now += 200 * MS;
        conn.onTimer(now);
        expect(ACK | Tcp.FIN, ISS + 1, IRS + 1, 8000, 0);
        in(ACK, IRS + 1, ISS + 2, 6000);
        assertEquals(TcpState.FIN_WAIT_2, conn.state());
    }

    @Test
    void closeBeforeSynchronizationClosesAtOnceWithNoTimerLeft() {
        make(PLAIN).open(now, ISS);
        out.clear();
        conn.close(now);
        assertEquals(TcpState.CLOSED, conn.state());
        assertEquals(TcpConnection.NO_DEADLINE, conn.nextDeadline());
        expectNothing();
        make(PLAIN).listen(ISS);
        conn.close(now);
        assertEquals(TcpState.CLOSED, conn.state());
        expectNothing();
    }

    @Test
    void closeInSynReceivedSendsTheFinOnceEstablished() {
        make(PLAIN).listen(ISS);
        in(Tcp.SYN, IRS, 0, 6000, synOptions(1000, TcpOptions.NO_WINDOW_SCALE, false, false, 0, 0), new byte[0]);
        out.clear();
        conn.close(now);
        assertEquals(TcpState.SYN_RECEIVED, conn.state());
        expectNothing();
        in(ACK, IRS + 1, ISS + 1, 6000);
        assertEquals(TcpState.FIN_WAIT_1, conn.state());
        expect(ACK | Tcp.FIN, ISS + 1, IRS + 1, 8000, 0);
    }

    @Test
    void abortSendsResetAndCloses() {
        established();
        conn.abort(now);
        expect(Tcp.RST, ISS + 1, 0, 0, 0);
        assertEquals(TcpState.CLOSED, conn.state());
        assertEquals(CloseCause.ABORTED, conn.closeCause());
    }

    // ---- RST in every state, and RFC 5961 ----

    private void driveTo(TcpState target) {
        switch (target) {
            case SYN_RECEIVED -> {
                make(PLAIN).listen(ISS);
                in(Tcp.SYN, IRS, 0, 6000, synOptions(1000, TcpOptions.NO_WINDOW_SCALE, false, false, 0, 0),
                        new byte[0]);
            }
            case ESTABLISHED -> established();
            case FIN_WAIT_1 -> {
                established();
                conn.close(now);
            }
            case FIN_WAIT_2 -> {
                driveTo(TcpState.FIN_WAIT_1);
                in(ACK, IRS + 1, ISS + 2, 6000);
            }
            case CLOSE_WAIT -> {
                established();
                in(ACK | Tcp.FIN, IRS + 1, ISS + 1, 6000);
            }
            case CLOSING -> {
                driveTo(TcpState.FIN_WAIT_1);
                in(ACK | Tcp.FIN, IRS + 1, ISS + 1, 6000);
            }
            case LAST_ACK -> {
                driveTo(TcpState.CLOSE_WAIT);
                conn.close(now);
            }
            case TIME_WAIT -> {
                driveTo(TcpState.FIN_WAIT_2);
                in(ACK | Tcp.FIN, IRS + 1, ISS + 2, 6000);
            }
            default -> throw new AssertionError(target);
        }
        assertEquals(target, conn.state());
        out.clear();
    }

    @Test
    void anExactResetClosesEverySynchronizedState() {
        for (TcpState state : new TcpState[] {TcpState.SYN_RECEIVED, TcpState.ESTABLISHED, TcpState.FIN_WAIT_1,
                TcpState.FIN_WAIT_2, TcpState.CLOSE_WAIT, TcpState.CLOSING, TcpState.LAST_ACK, TcpState.TIME_WAIT}) {
            driveTo(state);
            in(Tcp.RST, conn.rcvNxt(), 0, 0);
            assertEquals(TcpState.CLOSED, conn.state(), "RST in " + state);
            assertEquals(CloseCause.RESET, conn.closeCause(), "RST in " + state);
            assertEquals(TcpConnection.NO_DEADLINE, conn.nextDeadline(), "timers after RST in " + state);
            expectNothing();
        }
    }

    @Test
    void anInWindowResetThatIsNotExactGetsAChallengeAck() {
        for (TcpState state : new TcpState[] {TcpState.ESTABLISHED, TcpState.FIN_WAIT_2, TcpState.CLOSE_WAIT}) {
            driveTo(state);
            int sndNxt = conn.sndNxt();
            int rcvNxt = conn.rcvNxt();
            in(Tcp.RST, rcvNxt + 1, 0, 0);
            assertEquals(state, conn.state());
            expectAck(sndNxt, rcvNxt, 8000);
            in(Tcp.RST, rcvNxt + 9000, 0, 0); // outside the window: silently dropped
            in(Tcp.RST, rcvNxt - 1, 0, 0);
            expectNothing();
            assertEquals(1, conn.challengeAcks());
        }
    }

    @Test
    void aSynInASynchronizedStateGetsAChallengeAck() {
        established();
        in(Tcp.SYN, IRS + 1, 0, 6000, synOptions(1000, TcpOptions.NO_WINDOW_SCALE, false, false, 0, 0),
                new byte[0]);
        expectAck(ISS + 1, IRS + 1, 8000);
        assertEquals(TcpState.ESTABLISHED, conn.state());
        assertEquals(1, conn.challengeAcks());
        in(Tcp.SYN, IRS + 77777, 0, 6000, synOptions(1000, TcpOptions.NO_WINDOW_SCALE, false, false, 0, 0),
                new byte[0]);
        expectAck(ISS + 1, IRS + 1, 8000); // out of window: the sequence test already ACKs it
        assertEquals(TcpState.ESTABLISHED, conn.state());
    }

    @Test
    void challengeAcksAreRateLimited() {
        established();
        for (int i = 0; i < TcpConnection.CHALLENGE_ACKS_PER_INTERVAL + 5; i++) {
            in(Tcp.RST, IRS + 2, 0, 0);
        }
        assertEquals(TcpConnection.CHALLENGE_ACKS_PER_INTERVAL, out.size());
        assertEquals(5, conn.challengeAcksSuppressed());
        out.clear();
        now += TcpConnection.CHALLENGE_ACK_INTERVAL_NANOS;
        in(Tcp.SYN, IRS + 1, 0, 6000, synOptions(1000, TcpOptions.NO_WINDOW_SCALE, false, false, 0, 0), new byte[0]);
        expectAck(ISS + 1, IRS + 1, 8000); // a new interval
        assertEquals(TcpState.ESTABLISHED, conn.state());
    }

    @Test
    void anAckOutsideTheAcceptableRangeGetsAChallengeAckAndItsDataIsIgnored() {
        established();
        sendBuffer.write(bytes(100, 0));
        conn.poll(now);
        out.clear();
        in(ACK, IRS + 1, ISS + 102, 6000, bytes(10, 0)); // acknowledges more than was sent
        expectAck(ISS + 101, IRS + 1, 8000);
        assertEquals(0, receiveBuffer.readable());
        in(ACK, IRS + 1, ISS + 1 - 6001, 6000, bytes(10, 0)); // older than SND.UNA - MAX.SND.WND
        expectAck(ISS + 101, IRS + 1, 8000);
        assertEquals(0, receiveBuffer.readable());
        assertEquals(2, conn.challengeAcks());
        in(ACK, IRS + 1, ISS + 1 - 6000, 0, bytes(10, 0)); // old but within a window: the data counts
        assertEquals(10, receiveBuffer.readable());
        assertEquals(ISS + 1, conn.sndUna());
        assertEquals(6000, conn.sndWnd()); // an old ACK does not move the window
    }

    @Test
    void anOutOfWindowSegmentIsAcknowledgedAndDropped() {
        established();
        in(ACK, IRS + 8001, ISS + 1, 6000, bytes(10, 0));
        expectAck(ISS + 1, IRS + 1, 8000);
        in(ACK, IRS - 100, ISS + 1, 6000, bytes(10, 0));
        expectAck(ISS + 1, IRS + 1, 8000);
        assertEquals(2, conn.outOfWindowSegments());
        assertEquals(0, receiveBuffer.readable());
    }

    @Test
    void pawsDropsASegmentWithAnOlderTimestamp() {
        make(TcpSettings.defaults().withMss(1000).withOptions(false, true, false)).open(now, ISS);
        out.clear();
        in(Tcp.SYN | ACK, IRS, ISS + 1, 6000, synOptions(1000, TcpOptions.NO_WINDOW_SCALE, false, true, 100, 0),
                new byte[0]);
        out.clear();
        in(ACK, IRS + 1, ISS + 1, 6000, timestampOptions(200, 0), bytes(10, 0));
        assertEquals(10, receiveBuffer.readable());
        assertEquals(200, conn.tsRecent());
        in(ACK, IRS + 11, ISS + 1, 6000, timestampOptions(150, 0), bytes(10, 0));
        assertEquals(10, receiveBuffer.readable());
        assertEquals(1, conn.pawsRejected());
        SegmentLog.Seg ack = out.take();
        assertEquals(IRS + 11, ack.ack());
        assertEquals(200, ack.parsedOptions().timestampEcho());
        in(ACK, IRS + 11, ISS + 1, 6000, none, bytes(10, 0)); // no timestamp once agreed: dropped
        assertEquals(2, conn.pawsRejected());
        assertEquals(10, receiveBuffer.readable());
    }
}
