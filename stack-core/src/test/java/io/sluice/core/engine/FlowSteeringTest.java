package io.sluice.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FlowSteeringTest {

    private static final int LOCAL = 0xc612_0002;
    private static final int REMOTE = 0xc612_0001;

    @Test
    void bothDirectionsOfAFlowHaveOneOwner() {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 100_000; i++) {
            int a = random.nextInt();
            int b = random.nextInt();
            int pa = random.nextInt(65536);
            int pb = random.nextInt(65536);
            assertEquals(FlowSteering.hash(a, pa, b, pb), FlowSteering.hash(b, pb, a, pa));
        }
    }

    /** 64k client ports to one server spread over 4 workers within 5% of even; neighbouring ports scatter. */
    @Test
    void flowsSpreadEvenlyOverWorkers() {
        int[] perWorker = new int[4];
        int sameAsNeighbour = 0;
        int previous = -1;
        for (int port = 1024; port < 65536; port++) {
            int w = FlowSteering.workerOf(LOCAL, 80, REMOTE, port, 4);
            perWorker[w]++;
            sameAsNeighbour += w == previous ? 1 : 0;
            previous = w;
        }
        int flows = 65536 - 1024;
        for (int count : perWorker) {
            assertTrue(Math.abs(count - flows / 4) < flows / 4 * 0.05, "uneven: " + Arrays.toString(perWorker));
        }
        assertTrue(Math.abs(sameAsNeighbour - flows / 4) < flows / 4 * 0.1,
                "consecutive ports should be unrelated: " + sameAsNeighbour + " of " + flows);
    }

    @Test
    void aClientPortCanBeChosenForItsWorker() {
        for (int worker = 0; worker < 3; worker++) {
            int port = FlowSteering.portForWorker(LOCAL, REMOTE, 443, worker, 3, 49152, 65535, 50000);
            assertTrue(port >= 49152 && port <= 65535);
            assertEquals(worker, FlowSteering.workerOf(REMOTE, 443, LOCAL, port, 3), "seen from the peer's side");
        }
        int owner = FlowSteering.workerOf(LOCAL, 40000, REMOTE, 443, 2);
        assertEquals(40000, FlowSteering.portForWorker(LOCAL, REMOTE, 443, owner, 2, 40000, 40000, 40000));
        assertEquals(-1, FlowSteering.portForWorker(LOCAL, REMOTE, 443, 1 - owner, 2, 40000, 40000, 40000),
                "a one-port range that does not fit the worker has no port");
        assertThrows(IllegalArgumentException.class, () -> FlowSteering.workerOf(1, 2, 3, 4, 0));
        assertThrows(IllegalArgumentException.class,
                () -> FlowSteering.portForWorker(LOCAL, REMOTE, 443, 0, 2, 100, 50, 100));
    }
}
