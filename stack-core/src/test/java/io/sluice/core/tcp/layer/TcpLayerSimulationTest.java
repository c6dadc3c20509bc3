package io.sluice.core.tcp.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.core.phy.FaultInjector;
import io.sluice.core.tcp.conn.CloseCause;
import io.sluice.core.tcp.conn.TcpState;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * TCP through two whole stacks (tcp4-input, tcp4-output, connection tables, listeners, timers, ip4 and the wire)
 * on a virtual clock: handshakes, bulk transfer both ways with every byte checked, orderly close through TIME-WAIT,
 * refused connects, and nothing left behind (tables empty, every buffer pair given back, ports free).
 */
class TcpLayerSimulationTest {

    private static final int PORT = 5001;
    private static final long STEP = 20_000;

    @Test
    void oneMebibyteEachWayThenAnOrderlyClose() throws Exception {
        try (TcpSimulation sim = new TcpSimulation(null, null, STEP)) {
            Transfer t = transfer(sim, 1 << 20, 1 << 20, 200_000);
            assertEquals(0, t.client.mismatches + t.server.mismatches, "bytes arrive intact");
            assertEquals(CloseCause.NONE, t.client.flow.closeCause());
            assertEquals(CloseCause.NONE, t.server.flow.closeCause());
            assertNothingLeft(sim);
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    void lossReorderingAndDuplicationStillDeliverEveryByte(long seed) throws Exception {
        FaultInjector.Builder ab = FaultInjector.builder().seed(seed).loss(0.03).delay(200_000).reorder(0.05, 300_000)
                .duplicate(0.01);
        FaultInjector.Builder ba = FaultInjector.builder().seed(seed * 7 + 1).loss(0.03).delay(200_000)
                .reorder(0.05, 300_000).duplicate(0.01);
        try (TcpSimulation sim = new TcpSimulation(ab, ba, STEP)) {
            Transfer t = transfer(sim, 256 * 1024, 256 * 1024, 2_000_000);
            assertEquals(0, t.client.mismatches + t.server.mismatches, "seed " + seed + ": bytes arrive intact");
            long retransmitted = counters(sim.a)[TcpCounter.RETRANSMITTED_SEGMENTS.ordinal()]
                    + counters(sim.b)[TcpCounter.RETRANSMITTED_SEGMENTS.ordinal()];
            assertTrue(retransmitted > 0, "seed " + seed + ": losses were repaired by retransmission");
            assertTrue(counters(sim.a)[TcpCounter.OUT_OF_ORDER_BYTES.ordinal()]
                    + counters(sim.b)[TcpCounter.OUT_OF_ORDER_BYTES.ordinal()] > 0,
                    "seed " + seed + ": bytes beyond holes were kept in place");
            assertNothingLeft(sim);
        }
    }

    /**
     * With checksum offload on the wire, segments cross with partial checksums and arrive vouched for — except the
     * frames the wire corrupted, which the receiving stack checks in software and drops: bytes still arrive intact.
     */
    @Test
    void checksumOffloadSkipsTheChecksumButNotOnCorruptedFrames() throws Exception {
        FaultInjector.Builder ab = FaultInjector.builder().seed(11).corrupt(0.02).loss(0.01).delay(100_000);
        FaultInjector.Builder ba = FaultInjector.builder().seed(12).corrupt(0.02).loss(0.01).delay(100_000);
        try (TcpSimulation sim = new TcpSimulation(ab, ba, STEP, true)) {
            Transfer t = transfer(sim, 512 * 1024, 512 * 1024, 2_000_000);
            assertEquals(0, t.client.mismatches + t.server.mismatches, "corrupted frames never reach the application");
            assertTrue(sim.wire.a().faults().corrupted() > 0 && sim.wire.b().faults().corrupted() > 0,
                    "the wire corrupted frames both ways");
            assertNothingLeft(sim);
        }
    }

    @Test
    void aConnectToAClosedPortIsRefusedByTheResetItProvokes() throws Exception {
        try (TcpSimulation sim = new TcpSimulation(null, null, STEP)) {
            List<TcpFlow> closed = new ArrayList<>();
            TcpFlow flow = sim.a.tcp().connect(0, TcpSimulation.B_ADDRESS, 4444, sim.buffers, new TcpEvents() {
                @Override
                public void onClosed(TcpFlow f) {
                    closed.add(f);
                }
            });
            assertTrue(sim.runUntil(flow::isClosed, () -> { }, 10_000));
            assertEquals(CloseCause.REFUSED, flow.closeCause());
            assertEquals(List.of(flow), closed);
            assertEquals(1, counters(sim.b)[TcpCounter.RESETS_SENT.ordinal()]);
            assertEquals(1, counters(sim.a)[TcpCounter.FAILED_OPENS.ordinal()]);
            assertNothingLeft(sim);
        }
    }

    @Test
    void aListenerRefusesATakenPortAndAnAddressThatIsNotLocal() throws Exception {
        try (TcpSimulation sim = new TcpSimulation(null, null, STEP)) {
            TcpListener l = sim.b.tcp().listen(0, PORT, 8, sim.buffers, new TcpEvents() { });
            IllegalArgumentException taken = assertThrows(IllegalArgumentException.class,
                    () -> sim.b.tcp().listen(TcpSimulation.B_ADDRESS, PORT, 8, sim.buffers, new TcpEvents() { }));
            assertTrue(taken.getMessage().contains("taken"), taken.getMessage());
            IllegalArgumentException foreign = assertThrows(IllegalArgumentException.class,
                    () -> sim.b.tcp().listen(TcpSimulation.A_ADDRESS, PORT + 1, 8, sim.buffers, new TcpEvents() { }));
            assertTrue(foreign.getMessage().contains("not an address of this stack"), foreign.getMessage());
            l.close();
            sim.b.tcp().listen(TcpSimulation.B_ADDRESS, PORT, 8, sim.buffers, new TcpEvents() { }).close();
        }
    }

    @Test
    void manyConnectionsOpenAndCloseAndLeaveNothingBehind() throws Exception {
        try (TcpSimulation sim = new TcpSimulation(null, null, STEP)) {
            TcpListener listener = sim.b.tcp().listen(0, PORT, 64, sim.buffers, new TcpEvents() { });
            List<TcpSimulation.Endpoint> ends = new ArrayList<>();
            for (int round = 0; round < 5; round++) {
                List<TcpFlow> clients = new ArrayList<>();
                for (int i = 0; i < 40; i++) {
                    clients.add(sim.a.tcp().connect(0, TcpSimulation.B_ADDRESS, PORT, sim.buffers,
                            new TcpEvents() { }));
                }
                for (TcpFlow c : clients) {
                    ends.add(new TcpSimulation.Endpoint(c, 1000, 500, 1, 2));
                }
                assertTrue(sim.runUntil(() -> {
                    TcpFlow accepted;
                    while ((accepted = listener.accept()) != null) {
                        ends.add(new TcpSimulation.Endpoint(accepted, 500, 1000, 2, 1));
                    }
                    return ends.stream().allMatch(TcpSimulation.Endpoint::finished);
                }, () -> ends.forEach(TcpSimulation.Endpoint::pump), 100_000), "round " + round);
                ends.forEach(e -> assertEquals(0, e.mismatches));
                ends.clear();
            }
            assertTrue(sim.coastUntil(() -> connections(sim.a) + connections(sim.b) == 0, 10_000_000, 10_000),
                    "TIME-WAIT ends");
            assertEquals(200, counters(sim.a)[TcpCounter.ACTIVE_OPENS.ordinal()]);
            assertEquals(200, counters(sim.b)[TcpCounter.PASSIVE_OPENS.ordinal()]);
            assertEquals(400, counters(sim.a)[TcpCounter.ESTABLISHED.ordinal()]
                    + counters(sim.b)[TcpCounter.ESTABLISHED.ordinal()]);
            assertNull(listener.accept());
            assertNothingLeft(sim);
        }
    }

    /**
     * A listener whose SYN queue holds two: twenty SYNs arriving together fill it, the rest are answered with SYN
     * cookies, and every cookie's ACK makes a connection that keeps window scaling, SACK and timestamps (carried in
     * the TSval's low bits) and moves its data intact.
     */
    @Test
    void aFullSynQueueAnswersWithCookiesWhoseConnectionsKeepTheirOptions() throws Exception {
        try (TcpSimulation sim = new TcpSimulation(null, null, STEP)) {
            TcpListener listener = sim.b.tcp().listen(0, PORT, 64, 2, sim.buffers, new TcpEvents() { });
            List<TcpSimulation.Endpoint> ends = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                ends.add(new TcpSimulation.Endpoint(sim.a.tcp().connect(0, TcpSimulation.B_ADDRESS, PORT, sim.buffers,
                        new TcpEvents() { }), 300_000, 100_000, 3, 4));
            }
            List<TcpFlow> accepted = new ArrayList<>();
            boolean[] optionsKept = {true};
            assertTrue(sim.runUntil(() -> {
                TcpFlow flow;
                while ((flow = listener.accept()) != null) {
                    accepted.add(flow);
                    ends.add(new TcpSimulation.Endpoint(flow, 100_000, 300_000, 4, 3));
                    optionsKept[0] &= flow.connection.windowScaling() && flow.connection.sackPermitted()
                            && flow.connection.timestamps() && flow.connection.sndShift() > 0;
                }
                return ends.size() == 40 && ends.stream().allMatch(TcpSimulation.Endpoint::finished);
            }, () -> ends.forEach(TcpSimulation.Endpoint::pump), 200_000), "all transfers done");
            ends.forEach(e -> assertEquals(0, e.mismatches));
            long[] b = counters(sim.b);
            assertTrue(b[TcpCounter.COOKIES_SENT.ordinal()] >= 10, "cookies sent: "
                    + b[TcpCounter.COOKIES_SENT.ordinal()]);
            assertEquals(b[TcpCounter.COOKIES_SENT.ordinal()], b[TcpCounter.COOKIES_VALIDATED.ordinal()],
                    "every cookie came back valid");
            assertEquals(0, b[TcpCounter.COOKIES_REJECTED.ordinal()]);
            assertEquals(20, b[TcpCounter.PASSIVE_OPENS.ordinal()]);
            assertTrue(optionsKept[0], "cookie connections kept window scaling, SACK and timestamps");
            assertEquals(0, listener.synQueueLength(), "the SYN queue drained");
            assertTrue(sim.coastUntil(() -> connections(sim.a) + connections(sim.b) == 0, 10_000_000, 10_000));
            assertNothingLeft(sim);
        }
    }

    @Test
    void congestionControlIsChosenPerConnectionAndPerListener() throws Exception {
        try (TcpSimulation sim = new TcpSimulation(null, null, STEP)) {
            TcpListener listener = sim.b.tcp().listen(0, PORT, 8, sim.buffers, new TcpEvents() { });
            listener.setCcAlgo("newreno");
            TcpFlow cubic = sim.a.tcp().connect(0, TcpSimulation.B_ADDRESS, PORT, sim.buffers, new TcpEvents() { });
            TcpFlow newReno = sim.a.tcp().connect(0, TcpSimulation.B_ADDRESS, PORT, sim.buffers, new TcpEvents() { },
                    "newreno");
            List<TcpFlow> accepted = new ArrayList<>();
            assertTrue(sim.runUntil(() -> {
                TcpFlow f;
                while ((f = listener.accept()) != null) {
                    accepted.add(f);
                }
                return accepted.size() == 2 && cubic.state().isSynchronized() && newReno.state().isSynchronized();
            }, () -> { }, 10_000));
            assertEquals("Cubic", cubic.connection.congestionControl().getClass().getSimpleName());
            assertEquals("NewReno", newReno.connection.congestionControl().getClass().getSimpleName());
            accepted.forEach(f -> assertEquals("NewReno",
                    f.connection.congestionControl().getClass().getSimpleName(), "the listener's choice"));
            IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                    () -> sim.a.tcp().connect(0, TcpSimulation.B_ADDRESS, PORT, sim.buffers, new TcpEvents() { },
                            "vegas"));
            assertTrue(bad.getMessage().contains("'vegas' is not one of"), bad.getMessage());
        }
    }

    /** Keep-alive through the flow handle: a peer that vanishes is probed, then given up on as timed out. */
    @Test
    void keepaliveGivesUpOnAPeerThatVanished() throws Exception {
        try (TcpSimulation sim = new TcpSimulation(null, null, STEP)) {
            TcpListener listener = sim.b.tcp().listen(0, PORT, 8, sim.buffers, new TcpEvents() { });
            TcpFlow client = sim.a.tcp().connect(0, TcpSimulation.B_ADDRESS, PORT, sim.buffers, new TcpEvents() { });
            assertTrue(sim.runUntil(() -> listener.accept() != null && client.state().isSynchronized(), () -> { },
                    10_000));
            client.setNoDelay(true);
            client.setKeepalive(true, 2_000_000_000L, 1_000_000_000L, 3);
            // An idle minute with the peer there: probes are answered, the connection stays.
            sim.coastUntil(() -> false, 10_000_000, 6_000);
            assertEquals(TcpState.ESTABLISHED, client.state());
            assertTrue(client.connection.keepaliveProbes() > 0, "probes were sent and answered");
            sim.b.close(); // the peer vanishes without a word
            long before = client.connection.keepaliveProbes();
            for (int i = 0; i < 10_000 && !client.isClosed(); i++) {
                sim.a.engine().runOnce();
                sim.now[0] += 10_000_000;
            }
            assertTrue(client.isClosed(), "given up");
            assertEquals(CloseCause.TIMED_OUT, client.closeCause());
            assertEquals(3, client.connection.keepaliveProbes() - before, "three unanswered probes");
            assertTrue(client.connection.noDelay());
        }
    }

    /** Client a → server b: both send, both check, both close; waits out TIME-WAIT. */
    private static Transfer transfer(TcpSimulation sim, long clientBytes, long serverBytes, int maxSteps) {
        TcpListener listener = sim.b.tcp().listen(0, PORT, 8, sim.buffers, new TcpEvents() { });
        TcpFlow client = sim.a.tcp().connect(0, TcpSimulation.B_ADDRESS, PORT, sim.buffers, new TcpEvents() { });
        TcpSimulation.Endpoint c = new TcpSimulation.Endpoint(client, clientBytes, serverBytes, 11, 22);
        TcpSimulation.Endpoint[] s = new TcpSimulation.Endpoint[1];
        boolean done = sim.runUntil(() -> c.finished() && s[0] != null && s[0].finished(), () -> {
            if (s[0] == null) {
                TcpFlow accepted = listener.accept();
                if (accepted != null) {
                    s[0] = new TcpSimulation.Endpoint(accepted, serverBytes, clientBytes, 22, 11);
                }
            }
            c.pump();
            if (s[0] != null) {
                s[0].pump();
            }
        }, maxSteps);
        assertTrue(done, "transfer done: client received " + c.received + "/" + serverBytes + ", server received "
                + (s[0] == null ? "-" : s[0].received + "/" + clientBytes) + ", client " + client.state()
                + ", server " + (s[0] == null ? "-" : s[0].flow.state()));
        assertNotNull(s[0]);
        assertTrue(sim.coastUntil(() -> client.isClosed() && s[0].flow.isClosed(), 10_000_000, 20_000),
                "both ends close: client " + client.state() + ", server " + s[0].flow.state());
        // Whoever closed first (both, in a simultaneous close) waits in TIME-WAIT, but its user has been told and its
        // buffers are back already.
        List<TcpConnectionInfo> left = new ArrayList<>(sim.a.tcp().worker(0).connectionInfos());
        left.addAll(sim.b.tcp().worker(0).connectionInfos());
        assertTrue(left.stream().allMatch(info -> info.state().equals("TIME_WAIT")),
                "only TIME-WAIT remnants: " + left);
        assertEquals(sim.buffers.allocated.get(), sim.buffers.released.get(), "buffers back before TIME-WAIT ends");
        assertTrue(sim.coastUntil(() -> connections(sim.a) + connections(sim.b) == 0, 10_000_000, 20_000),
                "TIME-WAIT ends");
        listener.close();
        return new Transfer(c, s[0]);
    }

    private record Transfer(TcpSimulation.Endpoint client, TcpSimulation.Endpoint server) {}

    private static void assertNothingLeft(TcpSimulation sim) throws Exception {
        assertEquals(0, connections(sim.a), "stack a holds no connection");
        assertEquals(0, connections(sim.b), "stack b holds no connection");
        assertEquals(sim.buffers.allocated.get(), sim.buffers.released.get(), "every buffer pair was given back");
    }

    static int connections(io.sluice.core.stack.Stack stack) {
        int n = 0;
        for (int w = 0; w < stack.tcp().workerCount(); w++) {
            n += stack.tcp().worker(w).connectionCount();
        }
        return n;
    }

    static long[] counters(io.sluice.core.stack.Stack stack) {
        List<long[]> perWorker = new ArrayList<>();
        for (int w = 0; w < stack.tcp().workerCount(); w++) {
            perWorker.add(stack.tcp().worker(w).counters());
        }
        return TcpLayer.total(perWorker);
    }
}
