package io.sluice.core.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.core.config.StackConfig;
import io.sluice.core.engine.EngineConfig;
import io.sluice.core.l4.UdpDatagram;
import io.sluice.core.l4.UdpSocket;
import io.sluice.core.phy.FaultInjector;
import io.sluice.core.phy.InMemoryWire;
import io.sluice.core.wire.Ip4Address;
import io.sluice.core.wire.Ip4Prefix;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Two whole stacks in one JVM joined by an in-memory wire, each in single-thread mode on one virtual clock that
 * the test steps: stack a's UDP socket sends numbered datagrams to stack b's echo service (ARP resolution
 * included). Without faults every datagram comes back; with seeded loss and delay some do not, and the same seed
 * loses exactly the same ones again: a deterministic simulation.
 */
class TwoStacksSimulationTest {

    private static final int B_ADDRESS = Ip4Address.parse("198.18.5.2").bits();
    private static final long STEP_NANOS = 10_000;

    @Test
    void everyDatagramIsEchoedOverAPerfectWire() throws Exception {
        List<Integer> echoed = run(0.0, 1);
        assertEquals(100, echoed.size());
        for (int i = 0; i < 100; i++) {
            assertEquals(i, echoed.get(i), "in order");
        }
    }

    @Test
    void aLossyWireLosesTheSameDatagramsForTheSameSeed() throws Exception {
        List<Integer> first = run(0.2, 42);
        List<Integer> again = run(0.2, 42);
        List<Integer> otherSeed = run(0.2, 43);
        assertEquals(first, again, "the same seed replays exactly");
        assertTrue(first.size() < 100 && first.size() > 30, "some lost, most echoed: " + first.size());
        assertTrue(!first.equals(otherSeed), "another seed loses others");
    }

    /** Sends 100 datagrams 1 ms apart (virtual) from a to b's echo; returns the sequence numbers that came back. */
    private static List<Integer> run(double loss, long seed) throws Exception {
        long[] now = {1_000_000_000L};
        EngineConfig single = EngineConfig.singleThreadMode().withPolledSleepNanos(0);
        StackConfig config = StackConfig.parse("simulation", "buffers { buffers-per-numa 2048 }");
        List<Integer> echoed = new ArrayList<>();
        try (InMemoryWire wire = InMemoryWire.builder().ends("sim-a", 0x02_00_00_00_05_01L, "sim-b",
                0x02_00_00_00_05_02L)
                .faultsAtoB(FaultInjector.builder().seed(seed).loss(loss).delay(50_000).build())
                .faultsBtoA(FaultInjector.builder().seed(seed + 1).loss(loss).delay(50_000).build()).build();
                Stack a = Stack.create(config, single, () -> now[0]);
                Stack b = Stack.create(config, single, () -> now[0])) {
            a.addInterface(wire.a(), Ip4Prefix.parse("198.18.5.1/24"));
            b.addInterface(wire.b(), Ip4Prefix.parse("198.18.5.2/24"));
            a.start();
            b.start();
            b.udp().startEcho(0, 7);
            UdpSocket socket = a.udp().bind(0, 0);
            UdpDatagram reply = new UdpDatagram(64);
            for (int i = 0; i < 100; i++) {
                byte[] payload = ("datagram " + i).getBytes(StandardCharsets.US_ASCII);
                assertTrue(socket.send(B_ADDRESS, 7, payload, 0, payload.length));
                for (int step = 0; step < 100; step++) {
                    a.engine().runOnce();
                    b.engine().runOnce();
                    now[0] += STEP_NANOS;
                    while (socket.receive(reply)) {
                        String text = new String(reply.payload(), 0, reply.length(), StandardCharsets.US_ASCII);
                        echoed.add(Integer.parseInt(text.substring("datagram ".length())));
                    }
                }
            }
            socket.close();
        }
        return echoed;
    }
}
