package io.sluice.core.tcp.cc;

import java.util.Arrays;

/**
 * A path with a fixed RTT that loses a packet whenever the window exceeds its capacity; after a few such losses the
 * capacity doubles (more bandwidth became available), so the last cycle shows CUBIC's whole curve: concave up to
 * the previous W_max, flat around it, convex beyond.
 */
final class CubicSimulation {

    private static final int MAX_ROUNDS = 5000;

    /** The window per round trip, in segments. */
    record Trace(long rttNanos, int capacity, double[] all, double[] lastCycle, double lastWMax) {

        @Override
        public String toString() {
            StringBuilder text = new StringBuilder("cubic cwnd per RTT in segments, RTT ").append(rttNanos / 1_000_000)
                    .append(" ms, loss above ").append(capacity).append(" segments, then above ")
                    .append(2 * capacity).append(":");
            for (double cwnd : all) {
                text.append(' ').append(Math.round(cwnd));
            }
            return text.toString();
        }
    }

    private CubicSimulation() {}

    static Trace run(long rttNanos, int capacity, int losses) {
        AckClock clock = new AckClock(new Cubic(1000), rttNanos, 0);
        Cubic cc = (Cubic) clock.cc;
        double[] all = new double[MAX_ROUNDS];
        int rounds = 0;
        all[rounds++] = clock.cwndSegments();
        for (int lost = 0; lost < losses && rounds < MAX_ROUNDS; rounds++) {
            clock.roundTrip();
            if (clock.cwndSegments() > capacity) {
                clock.lossAndRecovery();
                lost++;
            }
            all[rounds] = clock.cwndSegments();
        }
        int cycleStart = rounds - 1;
        double wMax = cc.wMax();
        while (rounds < MAX_ROUNDS && clock.cwndSegments() <= 2 * capacity) {
            clock.roundTrip();
            all[rounds++] = clock.cwndSegments();
        }
        return new Trace(rttNanos, capacity, Arrays.copyOf(all, rounds), Arrays.copyOfRange(all, cycleStart, rounds),
                wMax);
    }
}
