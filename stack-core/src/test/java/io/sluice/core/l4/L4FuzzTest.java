package io.sluice.core.l4;

import static io.sluice.core.l4.L4Fixture.PEER;
import static io.sluice.core.l4.L4Fixture.TO_ICMP;
import static io.sluice.core.l4.L4Fixture.TO_UDP;
import static io.sluice.core.l4.L4Fixture.US;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.core.wire.Icmp4;
import io.sluice.core.wire.TestFrames;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Damaged transport headers and payloads never make a node throw, every buffer is sent on or freed exactly once,
 * and whatever reaches ip4-output passes the wire checks. The IPv4 header stays valid (ip4-input checked it).
 */
class L4FuzzTest {

    private static final int ROUNDS = 20_000;

    @Test
    void damagedPacketsAreAnsweredCorrectlyOrDroppedByName() {
        try (L4Fixture fx = new L4Fixture()) {
            fx.sockets.startEcho(0, UdpEchoService.ECHO_PORT);
            UdpSocket socket = fx.sockets.bind(US, 4000, 8, 2);
            byte[] udpOut = L4Fixture.udp(US, 4000, PEER, 53, new byte[12]);
            byte[][] seeds = {
                L4Fixture.echoRequest(PEER, US, 1, 2, 40),
                L4Fixture.udp(PEER, 1234, US, UdpEchoService.ECHO_PORT, new byte[30]),
                L4Fixture.udp(PEER, 1234, US, 4000, new byte[30]),
                L4Fixture.udp(PEER, 1234, US, 4001, new byte[30]),
                L4Fixture.icmpError(PEER, US, Icmp4.TYPE_DESTINATION_UNREACHABLE, Icmp4.CODE_PORT_UNREACHABLE, udpOut),
                L4Fixture.icmpError(PEER, US, Icmp4.TYPE_TIME_EXCEEDED, Icmp4.CODE_TTL_EXCEEDED, udpOut),
            };
            SplittableRandom random = new SplittableRandom(20261122);
            UdpDatagram sink = new UdpDatagram(2048);
            L4Fixture.Worker w = fx.first();
            long delivered = 0;
            for (int round = 0; round < ROUNDS; round++) {
                byte[] packet = damaged(seeds[random.nextInt(seeds.length)], random);
                w.inject(packet, packet[9] == 1 ? TO_ICMP : TO_UDP);
                if (round % 64 == 63) {
                    fx.now += 100_000_000L;
                    w.run();
                    for (int i = 0; i < w.out.count; i++) {
                        w.out.bytes(i); // asserts the wire checks pass
                    }
                    w.out.freeAll();
                    while (socket.receive(sink)) {
                        delivered++;
                    }
                }
            }
            w.run();
            w.out.freeAll();
            fx.assertAllBuffersFree();
            assertEquals(0, fx.pool.doubleFrees());
            // The damage leaves enough packets intact that every path ran, and enough broken that drops did.
            assertTrue(w.count(Icmp4InputNode.NAME, "echo-replied") > 0);
            assertTrue(w.count(Icmp4InputNode.NAME, "icmp4-bad-checksum") > 0);
            assertTrue(w.count(Udp4InputNode.NAME, "echo-replied") > 0);
            assertTrue(w.count(Udp4InputNode.NAME, "udp-bad-checksum") > 0);
            assertTrue(w.count(Icmp4ErrorNode.NAME, "sent") > 0);
            assertTrue(delivered > 0);
            socket.close();
        }
    }

    /** A copy of {@code seed} with transport bytes flipped, or cut short, or its protocol swapped; IPv4 kept valid. */
    private static byte[] damaged(byte[] seed, SplittableRandom random) {
        byte[] p = seed.clone();
        switch (random.nextInt(4)) {
            case 0 -> p[20 + random.nextInt(p.length - 20)] ^= (byte) (1 << random.nextInt(8));
            case 1 -> {
                for (int k = 0; k < 4; k++) {
                    p[20 + random.nextInt(p.length - 20)] = (byte) random.nextInt(256);
                }
            }
            case 2 -> p = Arrays.copyOf(p, 20 + random.nextInt(p.length - 19));
            default -> p[9] = (byte) (p[9] == 1 ? 17 : 1);
        }
        TestFrames.put16(p, 2, p.length);
        L4Fixture.fixIpChecksum(p);
        return p;
    }
}
