package io.sluice.core.tcp.cc;

/**
 * A sender that always has data and a path with a fixed round-trip time: each round trip, the whole window is
 * acknowledged in ACKs spread evenly over the RTT, and the sender refills the pipe as ACKs arrive, so the flight
 * size is the window at every ACK. Drives a {@link CongestionControl} the way the state machine will.
 */
final class AckClock {

    final CongestionControl cc;
    final long rttNanos;
    long now;

    AckClock(CongestionControl cc, long rttNanos, long startNanos) {
        this.cc = cc;
        this.rttNanos = rttNanos;
        this.now = startNanos;
    }

    /** One round trip of ACKs, each for {@code segmentsPerAck} segments (2 models delayed ACKs); returns cwnd. */
    long roundTrip(int segmentsPerAck) {
        int smss = cc.smss();
        long acks = Math.max(1, cc.cwnd() / ((long) smss * segmentsPerAck));
        long start = now;
        for (long i = 1; i <= acks; i++) {
            now = start + rttNanos * i / acks;
            cc.onAck(now, (long) smss * segmentsPerAck, rttNanos, cc.cwnd(), false);
        }
        return cc.cwnd();
    }

    long roundTrip() {
        return roundTrip(1);
    }

    /** A loss found by duplicate ACKs, one round trip of recovery, then the full ACK; returns cwnd after it. */
    long lossAndRecovery() {
        cc.onEnterRecovery(now, cc.cwnd());
        now += rttNanos;
        cc.onRecoveryExit(now, cc.ssthresh());
        return cc.cwnd();
    }

    double cwndSegments() {
        return (double) cc.cwnd() / cc.smss();
    }
}
