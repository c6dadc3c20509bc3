package io.sluice.core.tcp.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.core.tcp.conn.RingReceiveBuffer;
import io.sluice.core.tcp.conn.RingSendBuffer;
import io.sluice.core.util.AllocationMeter;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/**
 * The TCP data path through whole stacks allocates nothing in steady state: application writes and reads with
 * their flush requests (request bits, the worker's MPSC queue), tcp4-output building segments from the send
 * buffer, ip4 and the wire, tcp4-input with its table lookup, the state machine, ACKs, timer re-arming and the
 * events, for both ends, measured on the one thread that drives them.
 */
class TcpLayerAllocationFreeTest {

    @Test
    void bulkTransferThroughTwoStacksAllocatesNothing() throws Exception {
        try (TcpSimulation sim = new TcpSimulation(null, null, 20_000)) {
            TcpListener listener = sim.b.tcp().listen(0, 5100, 4, sim.buffers, new TcpEvents() { });
            TcpFlow client = sim.a.tcp().connect(0, TcpSimulation.B_ADDRESS, 5100, sim.buffers, new TcpEvents() { });
            TcpFlow[] server = new TcpFlow[1];
            assertTrue(sim.runUntil(() -> (server[0] = listener.accept()) != null, () -> { }, 10_000));
            RingSendBuffer send = (RingSendBuffer) client.buffers().send();
            RingReceiveBuffer receive = (RingReceiveBuffer) server[0].buffers().receive();
            MemorySegment chunk = MemorySegment.ofArray(new byte[64 * 1024]);
            long[] moved = new long[1];
            Runnable rounds = () -> {
                for (int i = 0; i < 200; i++) {
                    if (send.write(chunk, 0, (int) chunk.byteSize()) > 0) {
                        client.flush();
                    }
                    int n = receive.read(chunk, 0, (int) chunk.byteSize());
                    if (n > 0) {
                        moved[0] += n;
                        server[0].flush();
                    }
                    sim.step();
                }
            };
            long bytes = AllocationMeter.allocatedInSteadyState(rounds, rounds);
            assertEquals(0, bytes, "bytes allocated per 200 steps of bulk transfer");
            assertTrue(moved[0] > 10L << 20, "data moved while measuring: " + moved[0]);
        }
    }
}
