package io.sluice.core.l4;

import static io.sluice.core.l4.L4Fixture.PEER;
import static io.sluice.core.l4.L4Fixture.TO_ICMP;
import static io.sluice.core.l4.L4Fixture.TO_UDP;
import static io.sluice.core.l4.L4Fixture.US;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.core.util.AllocationMeter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The L4 data paths allocate nothing once warm: ICMP echo replies, UDP echo replies, port unreachable, delivery into
 * a socket and the application's receive, the application's send and udp4-socket-output. Each round pushes a batch
 * through the graph and frees what reached the stub ip4-output.
 */
class L4AllocationFreeTest {

    private static final int BATCH = 32;

    private final L4Fixture fx = new L4Fixture();
    private final L4Fixture.Worker w = fx.first();

    @AfterEach
    void close() {
        fx.close();
    }

    private long steadyState(Runnable round) {
        return AllocationMeter.allocatedInSteadyState(() -> {
            for (int i = 0; i < 200; i++) {
                round.run();
            }
        });
    }

    /** Queues a batch of {@code packet} for {@code target}, runs the graph, frees the output. */
    private void pushBatch(byte[] packet, int target) {
        for (int k = 0; k < BATCH; k++) {
            w.inject(packet, target);
        }
        w.run();
        w.out.freeAll();
    }

    @Test
    void icmpEchoReplyPathAllocatesNothing() {
        byte[] request = L4Fixture.echoRequest(PEER, US, 1, 1, 56);
        assertEquals(0, steadyState(() -> pushBatch(request, TO_ICMP)));
        assertEquals(0, w.out.count);
        fx.assertAllBuffersFree();
    }

    @Test
    void udpEchoPathAllocatesNothing() {
        fx.sockets.startEcho(0, UdpEchoService.ECHO_PORT);
        byte[] request = L4Fixture.udp(PEER, 5555, US, UdpEchoService.ECHO_PORT, new byte[512]);
        assertEquals(0, steadyState(() -> pushBatch(request, TO_UDP)));
        fx.assertAllBuffersFree();
    }

    @Test
    void portUnreachablePathAllocatesNothing() {
        byte[] request = L4Fixture.udp(PEER, 5555, US, 9, new byte[64]);
        assertEquals(0, steadyState(() -> {
            fx.now += 1_000_000_000L; // a full bucket each round: the errors are built, not rate-limited
            pushBatch(request, TO_UDP);
        }));
        assertEquals(0, w.count(Icmp4ErrorNode.NAME, "rate-limited"));
        fx.assertAllBuffersFree();
    }

    @Test
    void socketReceivePathAllocatesNothing() {
        UdpSocket socket = fx.sockets.bind(US, 4000, BATCH, 2);
        byte[] datagram = L4Fixture.udp(PEER, 5555, US, 4000, new byte[256]);
        UdpDatagram into = new UdpDatagram(2048);
        long[] received = {0};
        assertEquals(0, steadyState(() -> {
            pushBatch(datagram, TO_UDP);
            while (socket.receive(into)) {
                received[0]++;
            }
        }));
        assertEquals(0, w.count(Udp4InputNode.NAME, "socket-queue-full"));
        assertEquals(w.count(Udp4InputNode.NAME, "delivered"), received[0]);
        socket.close();
    }

    @Test
    void socketSendPathAllocatesNothing() {
        fx.wakesRecorded = false;
        UdpSocket socket = fx.sockets.bind(0, 4000, 2, BATCH);
        byte[] payload = new byte[256];
        assertEquals(0, steadyState(() -> {
            for (int k = 0; k < BATCH; k++) {
                socket.send(PEER, 53, payload, 0, payload.length);
            }
            w.run();
            w.out.freeAll();
        }));
        assertEquals(0, socket.info().txDropped());
        socket.close();
        fx.assertAllBuffersFree();
    }
}
