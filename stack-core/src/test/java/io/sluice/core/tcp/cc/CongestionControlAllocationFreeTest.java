package io.sluice.core.tcp.cc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.core.util.AllocationMeter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every event allocates nothing: rounds of ACKs in slow start and congestion avoidance, duplicate ACKs, recovery
 * with partial and full ACKs, timeouts, undo and application-limited ACKs.
 */
class CongestionControlAllocationFreeTest {

    private static final long RTT = 20_000_000;

    @ParameterizedTest
    @ValueSource(strings = {"cubic", "newreno"})
    void everyEventAllocatesNothing(String algorithm) {
        CongestionControl cc = CongestionControls.create(algorithm, 1448);
        long[] clock = {0};
        long[] sink = {0};
        Runnable cycle = () -> {
            long now = clock[0];
            for (int i = 0; i < 2000; i++) {
                now += RTT / 100;
                cc.onAck(now, 1448, (i & 3) == 0 ? RTT : CongestionControl.NO_RTT_SAMPLE, cc.cwnd(), false);
            }
            cc.onAck(now, 1448, RTT, 0, false);
            cc.onDuplicateAck(now, false);
            cc.onEnterRecovery(now, cc.cwnd());
            for (int i = 0; i < 5; i++) {
                cc.onDuplicateAck(now, true);
            }
            now += RTT;
            cc.onAck(now, 3 * 1448, RTT, cc.cwnd(), true);
            cc.onRecoveryExit(now, cc.ssthresh());
            if ((now / RTT & 1) == 0) {
                cc.onSpuriousCongestionEvent(now);
            }
            cc.onRetransmitTimeout(now, cc.cwnd());
            cc.onRetransmitTimeout(now, cc.cwnd());
            sink[0] += cc.cwnd() + cc.ssthresh() + (cc.inSlowStart() ? 1 : 0);
            clock[0] = now;
        };
        assertEquals(0, AllocationMeter.allocatedInSteadyState(cycle));
        assertTrue(sink[0] > 0);
    }
}
