package io.sluice.core.tcp.layer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.core.phy.FaultInjector;
import io.sluice.core.tcp.conn.CloseCause;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Two stacks over a faulty simulated wire, many seeds: each seed picks its own mix — loss 0 to 20%, delay and
 * jitter, reordering, duplication, corruption, and for some a rate limit — and both directions carry a bulk
 * transfer that must arrive intact, after which both ends close cleanly. A failing seed is in the test's name and
 * message and replays exactly ({@link #aSeedReplaysExactly}). CI runs 10 seeds of 1 MiB each way; with
 * {@code -Dsluice.soak=true} it runs 40 seeds of 10 MiB each way.
 */
class TcpSimulationSoakTest {

    private static final boolean SOAK = Boolean.getBoolean("sluice.soak");
    private static final long BYTES = SOAK ? 10L << 20 : 1L << 20;

    static LongStream seeds() {
        return LongStream.rangeClosed(1, SOAK ? 40 : 10);
    }

    /** The fault mix of {@code seed} for one direction. */
    static FaultInjector.Builder faults(long seed, int direction) {
        double loss = (seed % 5) * 0.05; // 0, 5, 10, 15, 20 %
        FaultInjector.Builder b = FaultInjector.builder().seed(seed * 31 + direction).loss(loss)
                .delay(1_000_000 + (seed % 4) * 2_000_000).jitter((seed % 3) * 500_000)
                .reorder(seed % 2 == 0 ? 0.03 : 0, 2_000_000).duplicate(0.01).corrupt(0.005);
        if (seed % 4 == 3) {
            b.rateLimit(200_000_000, 64 * 1024, 256 * 1024); // 200 Mbit/s with a bounded queue
        }
        return b;
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void bulkBothWaysArrivesIntactAndBothEndsClose(long seed) throws Exception {
        Outcome outcome = run(seed);
        assertEquals(0, outcome.mismatches, "seed " + seed + ": corrupted bytes reached the application");
        assertTrue(outcome.finished, "seed " + seed + ": transfer incomplete: " + outcome.detail);
        assertTrue(outcome.closed, "seed " + seed + ": both ends closed: " + outcome.detail);
    }

    @Test
    void aSeedReplaysExactly() throws Exception {
        Outcome first = run(7);
        Outcome again = run(7);
        assertArrayEquals(first.counters, again.counters, "the same seed gives the same TCP counters");
        assertEquals(first.virtualNanos, again.virtualNanos, "and finishes at the same virtual time");
    }

    private record Outcome(boolean finished, boolean closed, long mismatches, long[] counters, long virtualNanos,
            String detail) {}

    private static Outcome run(long seed) throws Exception {
        try (TcpSimulation sim = new TcpSimulation(faults(seed, 0), faults(seed, 1), 50_000)) {
            TcpListener listener = sim.b.tcp().listen(0, 6000, 4, sim.buffers, new TcpEvents() { });
            TcpFlow clientFlow = sim.a.tcp().connect(0, TcpSimulation.B_ADDRESS, 6000, sim.buffers,
                    new TcpEvents() { });
            TcpSimulation.Endpoint client = new TcpSimulation.Endpoint(clientFlow, BYTES, BYTES, 1, 2);
            TcpSimulation.Endpoint[] server = new TcpSimulation.Endpoint[1];
            boolean finished = sim.runUntil(() -> client.finished() && server[0] != null && server[0].finished(),
                    () -> {
                        if (server[0] == null) {
                            TcpFlow accepted = listener.accept();
                            if (accepted != null) {
                                server[0] = new TcpSimulation.Endpoint(accepted, BYTES, BYTES, 2, 1);
                            }
                        }
                        client.pump();
                        if (server[0] != null) {
                            server[0].pump();
                        }
                    }, SOAK ? 200_000_000 : 20_000_000);
            boolean closed = finished && sim.coastUntil(() -> clientFlow.isClosed() && server[0].flow.isClosed(),
                    10_000_000, 100_000);
            long[] counters = TcpLayer.total(java.util.List.of(TcpLayerSimulationTest.counters(sim.a),
                    TcpLayerSimulationTest.counters(sim.b)));
            String detail = "client sent " + client.sent + " received " + client.received + " " + clientFlow
                    + "; server " + (server[0] == null ? "never accepted" : server[0].received + " " + server[0].flow)
                    + "; close causes " + clientFlow.closeCause() + "/"
                    + (server[0] == null ? CloseCause.NONE : server[0].flow.closeCause());
            return new Outcome(finished, closed, client.mismatches + (server[0] == null ? 0 : server[0].mismatches),
                    counters, sim.now[0], detail);
        }
    }
}
