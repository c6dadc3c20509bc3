package io.sluice.core.tcp.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.core.util.AllocationMeter;
import org.junit.jupiter.api.Test;

/**
 * The per-segment and per-ACK work of loss recovery allocates nothing: rounds of a 32-segment flight whose first
 * segment is lost, acknowledged segment by segment with SACK, with RACK detection, SetPipe, NextSeg and the
 * retransmission, then the cumulative ACK, RTT sample, TLP episode and an RTO backoff. Sequence numbers run
 * through the 2^32 wrap during the rounds.
 */
class RecoveryAllocationFreeTest {

    private static final int MSS = 1460;
    private static final int SEGMENTS = 32;
    private static final long US = 1000;
    private static final long MS = RttEstimator.MILLISECOND;

    private final RttEstimator rtt = new RttEstimator();
    private final SentSegmentLog log = new SentSegmentLog(64);
    private final Rack rack = new Rack();
    private final TailLossProbe tlp = new TailLossProbe();
    private final int[] blocks = new int[8];
    private final long[] sink = new long[1];
    private int seq = 0xF000_0000;
    private final SackScoreboard board = new SackScoreboard(SackScoreboard.DEFAULT_CAPACITY, MSS, seq);
    private long now = Long.MAX_VALUE - 1_000_000 * MS; // a monotonic clock may wrap too
    private long retransmissions;
    private long roundsRun;

    private void round() {
        int base = seq;
        for (int i = 0; i < SEGMENTS; i++) {
            log.append(base + i * MSS, base + (i + 1) * MSS, now + i * US);
        }
        board.onDataSent(base + SEGMENTS * MSS);
        if (tlp.shouldArm(true, board.hasSacked(), board.inRecovery(), true)) {
            sink[0] += tlp.pto(rtt.hasSample() ? rtt.srtt() : -1, false, now, now + rtt.rto());
        }
        now += 10 * MS;
        for (int i = 1; i < SEGMENTS; i++) { // segment 0 is lost; the others arrive and are SACKed
            blocks[0] = base + MSS;
            blocks[1] = base + (i + 1) * MSS;
            sink[0] += board.onAck(base, blocks, 1);
            log.sack(blocks[0], blocks[1]);
            int delivered = log.indexOf(base + i * MSS);
            rack.onDelivered(log.endSeq(delivered), log.xmitTime(delivered), log.retransmitted(delivered), false,
                    now);
            rack.endAck(board.lastAckHadDsack(), board.sndUna(), board.sndNxt());
            sink[0] += rack.detectLoss(log, now, board.inRecovery(), rtt.srtt());
            boolean enter = board.canEnterRecovery() && (board.isLost(base) || log.lost(0));
            sink[0] += board.pipe();
            NextSegRule rule = enter ? board.enterRecovery()
                    : board.inRecovery() ? board.nextSeg(0) : NextSegRule.NONE;
            if (rule == NextSegRule.RETRANSMIT_LOST || rule == NextSegRule.RETRANSMIT_UNSACKED) {
                log.onRetransmitted(log.indexOf(board.nextStart()), now);
                retransmissions++;
            }
            board.markNextSegSent();
            now += US;
        }
        now += 10 * MS;
        int ack = base + SEGMENTS * MSS;
        rtt.sample(10 * MS);
        sink[0] += board.onAck(ack, blocks, 0);
        sink[0] += log.acknowledge(ack);
        board.exitRecovery();
        rack.onRecoveryExit();
        tlp.onProbeSent(ack, true);
        sink[0] += tlp.onAck(ack, false, true).ordinal();
        sink[0] += rtt.onTimeout();
        seq = ack;
        roundsRun++;
    }

    @Test
    void perAckWorkAllocatesNothing() {
        Runnable rounds = () -> {
            for (int r = 0; r < 8; r++) {
                round();
            }
        };
        Runnable warmup = () -> {
            for (int i = 0; i < 200; i++) {
                round();
            }
        };
        long bytes = AllocationMeter.allocatedInSteadyState(warmup, rounds);
        assertEquals(0, bytes, "bytes allocated by loss recovery per ACK in steady state");
        assertEquals(0, log.size());
        assertEquals(roundsRun, retransmissions, "the lost segment was retransmitted by NextSeg once a round");
        assertEquals(0, board.rangeCount());
    }
}
