package io.sluice.core.ip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.core.timer.TimerWheel;
import io.sluice.core.util.AllocationMeter;
import org.junit.jupiter.api.Test;

/**
 * The data path allocates nothing: rounds of misses that queue, retransmissions, replies that release the queues,
 * failures that hand packets back, hits, ageing to stale, polls and removal, all driven through the timer wheel.
 */
class ArpTableAllocationFreeTest {

    private static final long S = ArpSettings.SECOND;
    private static final int NEIGHBOURS = 512;

    /** Counts; buffer indices are plain numbers here, since no pool is involved. */
    private static final class Counting implements NeighbourEvents {
        long sent;
        long dropped;
        long requests;

        @Override
        public void transmit(int ifIndex, int bufferIndex, long mac) {
            sent++;
        }

        @Override
        public void drop(int ifIndex, int bufferIndex, ArpDropReason reason) {
            dropped++;
        }

        @Override
        public void sendRequest(int ifIndex, int ip, long destinationMac) {
            requests++;
        }
    }

    @Test
    void steadyStateAllocatesNothing() {
        TimerWheel wheel = TimerWheel.withDefaults(NEIGHBOURS, 0);
        Counting events = new Counting();
        ArpTable table = new ArpTable(ArpSettings.defaults(NEIGHBOURS), wheel, events);
        long[] clock = {0};
        long[] sink = {0};
        Runnable round = () -> {
            for (int r = 0; r < 4; r++) {
                long now = clock[0];
                for (int k = 0; k < NEIGHBOURS; k++) {
                    sink[0] += table.resolve(k & 3, 0x0a00_0000 + k, k, now);
                    sink[0] += table.resolve(k & 3, 0x0a00_0000 + k, k + NEIGHBOURS, now);
                }
                now += 1500 * 1_000_000L;
                wheel.advance(now, table);
                for (int k = 0; k < NEIGHBOURS; k += 2) {
                    sink[0] += table.learn(k & 3, 0x0a00_0000 + k, 0x0200_0000_0000L | k, true, now);
                }
                now += 3 * S;
                wheel.advance(now, table); // the unanswered half fails
                for (int k = 0; k < NEIGHBOURS; k++) {
                    sink[0] += table.resolve(k & 3, 0x0a00_0000 + k, k, now);
                }
                now += ArpSettings.DEFAULT_REACHABLE_NANOS;
                wheel.advance(now, table); // stale
                for (int k = 0; k < NEIGHBOURS; k += 2) {
                    sink[0] += table.resolve(k & 3, 0x0a00_0000 + k, k, now);
                }
                now += ArpSettings.DEFAULT_STALE_NANOS + S;
                wheel.advance(now, table); // removed
                clock[0] = now;
            }
        };
        // Enough rounds first for C2 to compile resolve, learn and onExpired, so the measurement is of JIT code.
        Runnable warmup = () -> {
            for (int i = 0; i < 100; i++) {
                round.run();
            }
        };
        long bytes = AllocationMeter.allocatedInSteadyState(warmup, round);
        assertEquals(0, bytes, "bytes allocated by ARP resolve/learn/advance in steady state");
        assertEquals(0, table.size());
        assertTrue(events.sent > 0 && events.dropped > 0 && events.requests > 0);
        assertEquals(0, table.staleTimers());
    }
}
