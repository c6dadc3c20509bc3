package io.sluice.core.ip;

import static io.sluice.core.wire.TestFrames.IP_A;
import static io.sluice.core.wire.TestFrames.MAC_A;
import static io.sluice.core.wire.TestFrames.put16;
import static io.sluice.core.wire.TestFrames.referenceChecksum;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.core.util.AllocationMeter;
import io.sluice.core.wire.TestFrames;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The steady-state IPv4 paths allocate nothing: received UDP and ICMP through ethernet-input and ip4-input to the
 * stubs, ARP requests answered, and datagrams through ip4-output to a resolved neighbour and looped back to
 * ourselves, with the ip4-neighbour node polled on every pass.
 */
class Ip4NodesAllocationFreeTest {

    private static final int ROUNDS = 64;

    @Test
    void receiveAndSendAllocateNothing() {
        try (Ip4Harness h = new Ip4Harness(ArpSettings.defaults(16), true)) {
            h.recording = false;
            h.layer.arpTable().addStatic(Ip4Harness.IF0, IP_A, MAC_A);
            byte[] udp = TestFrames.udp(64, false);
            byte[] icmp = TestFrames.icmpEchoRequest();
            byte[] arp = TestFrames.arpRequest();
            byte[] toPeer = Arrays.copyOfRange(udp, 14, udp.length);
            put16(toPeer, 16, IP_A >>> 16);
            put16(toPeer, 18, IP_A & 0xffff);
            put16(toPeer, 10, 0);
            put16(toPeer, 10, referenceChecksum(toPeer, 0, 20));
            byte[] toUs = Arrays.copyOfRange(udp, 14, udp.length);
            Runnable work = () -> {
                for (int i = 0; i < ROUNDS; i++) {
                    h.receive(udp, Ip4Harness.IF0);
                    h.receive(icmp, Ip4Harness.IF0);
                    h.receive(arp, Ip4Harness.IF0);
                    h.send(toPeer);
                    h.send(toUs);
                }
                h.run();
            };
            long bytes = AllocationMeter.allocatedInSteadyState(() -> {
                for (int i = 0; i < 200; i++) {
                    work.run();
                }
            }, work);
            assertEquals(0, bytes, "bytes allocated per round of the IPv4 paths in steady state");
            // udp4-input: each received UDP and looped-back datagram; interface-output: each ARP reply and
            // datagram to the peer, plus the one gratuitous ARP.
            assertEquals(2 * h.icmp.received, h.udp.received);
            assertEquals(2 * h.icmp.received + 1, h.output.received);
        }
    }
}
