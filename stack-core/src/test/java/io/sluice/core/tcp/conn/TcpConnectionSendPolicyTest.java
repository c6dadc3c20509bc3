package io.sluice.core.tcp.conn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.core.wire.Tcp;
import org.junit.jupiter.api.Test;

/** Packet-level tests of when a connection sends on its own or holds back: Nagle, sender SWS avoidance, keep-alive. */
class TcpConnectionSendPolicyTest extends ScriptedConnectionTest {

    @Test
    void nagleHoldsASmallSegmentWhileDataIsUnacknowledgedAndNoDelaySendsAtOnce() {
        established();
        sendBuffer.write(bytes(500, 0));
        conn.poll(now);
        expect(ACK | Tcp.PSH, ISS + 1, IRS + 1, 8000, 500); // nothing unacknowledged: it goes
        sendBuffer.write(bytes(300, 0));
        conn.poll(now);
        expectNothing(); // RFC 1122 §4.2.3.4: it waits for the ACK
        now += 10 * MS;
        in(ACK, IRS + 1, ISS + 501, 6000);
        expect(ACK | Tcp.PSH, ISS + 501, IRS + 1, 8000, 300);
        conn.setNoDelay(true);
        sendBuffer.write(bytes(200, 0));
        conn.poll(now);
        expect(ACK | Tcp.PSH, ISS + 801, IRS + 1, 8000, 200); // at once, with 300 bytes unacknowledged
    }

    @Test
    void aSmallWindowIsNotFilledWithASmallSegmentUntilTheOverrideTimer() {
        established();
        conn.setNoDelay(true); // silly-window avoidance holds even without Nagle
        sendBuffer.write(bytes(6500, 0));
        conn.poll(now);
        assertEquals(6, out.size()); // the 6000-byte window is full; 500 bytes wait
        out.clear();
        in(ACK, IRS + 1, ISS + 2001, 4200);
        expectNothing(); // 200 bytes of window: less than half the largest window (RFC 9293 §3.8.6.2.1)
        in(ACK, IRS + 1, ISS + 6001, 300);
        expectNothing(); // nothing in flight now, but 300 is still silly
        long override = now + 200 * MS; // the current RTO
        assertEquals(override, conn.nextDeadline());
        conn.onTimer(override - 1);
        expectNothing();
        now = override;
        conn.onTimer(now);
        expect(ACK, ISS + 6001, IRS + 1, 8000, 300);
        in(ACK, IRS + 1, ISS + 6301, 6000);
        expect(ACK | Tcp.PSH, ISS + 6301, IRS + 1, 8000, 200);
    }

    @Test
    void keepaliveProbesAnIdleConnectionAndGivesUpAfterTheLastUnansweredProbe() {
        established(); // the peer was last heard at 10 ms
        assertEquals(TcpConnection.NO_DEADLINE, conn.nextDeadline()); // off by default
        conn.setKeepalive(true, 1000 * MS, 100 * MS, 3);
        assertEquals(1010 * MS, conn.nextDeadline());
        now = 1010 * MS;
        conn.onTimer(now);
        expect(ACK, ISS, IRS + 1, 8000, 0); // SEG.SEQ = SND.NXT - 1, no data
        assertEquals(1110 * MS, conn.nextDeadline());
        now = 1020 * MS;
        in(ACK, IRS + 1, ISS + 1, 6000); // the peer answers: idle time starts again
        expectNothing();
        assertEquals(2020 * MS, conn.nextDeadline());
        for (int probe = 0; probe < 3; probe++) {
            now = conn.nextDeadline();
            assertEquals((2020 + 100 * probe) * MS, now);
            conn.onTimer(now);
            expect(ACK, ISS, IRS + 1, 8000, 0);
        }
        now = conn.nextDeadline();
        assertEquals(2320 * MS, now);
        conn.onTimer(now);
        expect(Tcp.RST, ISS + 1, 0, 0, 0);
        assertEquals(TcpState.CLOSED, conn.state());
        assertEquals(CloseCause.TIMED_OUT, conn.closeCause());
        assertEquals(4, conn.keepaliveProbes());
        assertEquals(TcpConnection.NO_DEADLINE, conn.nextDeadline());
    }
}
