package io.sluice.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The frames of a worker pair go round: sender → receiver → back, none made or lost. */
class HandoffMeshTest {

    @Test
    void framesGoRoundAndThePairNeverHasMoreThanItsOwn() throws Exception {
        Doorbell[] doorbells = {new Doorbell(), new Doorbell()};
        try {
            HandoffMesh mesh = new HandoffMesh(2, 16, doorbells);
            for (int round = 0; round < 100; round++) {
                List<HandoffFrame> taken = new ArrayList<>();
                HandoffFrame f;
                while ((f = mesh.emptyFrame(0, 1)) != null) {
                    f.buffers[f.count++] = round;
                    taken.add(f);
                }
                assertEquals(16, taken.size(), "round " + round);
                for (HandoffFrame frame : taken) {
                    assertTrue(mesh.send(0, 1, frame));
                }
                assertTrue(mesh.hasFramesFor(1));
                int received = 0;
                while ((f = mesh.receive(0, 1)) != null) {
                    assertEquals(round, f.buffers[0]);
                    mesh.recycle(0, 1, f);
                    received++;
                }
                assertEquals(16, received);
                assertNull(mesh.receive(0, 1));
            }
            assertNotNull(mesh.emptyFrame(1, 0), "the other direction has frames of its own");
        } finally {
            doorbells[0].close();
            doorbells[1].close();
        }
    }

    @Test
    void framesGoRoundBetweenTwoThreads() throws Exception {
        Doorbell[] doorbells = {new Doorbell(), new Doorbell()};
        try {
            HandoffMesh mesh = new HandoffMesh(2, 16, doorbells);
            int rounds = 200_000;
            Thread receiver = new Thread(() -> {
                int got = 0;
                while (got < rounds) {
                    HandoffFrame f = mesh.receive(0, 1);
                    if (f != null) {
                        got++;
                        mesh.recycle(0, 1, f);
                    }
                }
            });
            receiver.start();
            int sent = 0;
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (sent < rounds && System.nanoTime() < deadline) {
                HandoffFrame f = mesh.emptyFrame(0, 1);
                if (f != null) {
                    f.count = 1;
                    assertTrue(mesh.send(0, 1, f));
                    sent++;
                }
            }
            receiver.join(10_000);
            assertEquals(rounds, sent);
            int home = 0;
            while (mesh.emptyFrame(0, 1) != null) {
                home++;
            }
            assertEquals(16, home, "every frame came home");
        } finally {
            doorbells[0].close();
            doorbells[1].close();
        }
    }
}
