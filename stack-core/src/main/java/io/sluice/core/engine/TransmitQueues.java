package io.sluice.core.engine;

import io.sluice.core.phy.Device;
import java.util.Arrays;

/**
 * Which transmit queue each worker uses on each interface, and the lock of a queue that several workers share.
 * Worker w transmits on queue {@code w % transmitQueueCount}; when a device has fewer transmit queues than there are
 * workers, a queue used by more than one worker gets a lock, taken only around {@link Device#transmit}; a queue of
 * its own is used without one. Interfaces are registered by the control thread (copy-on-write); workers read the
 * table without locks.
 */
final class TransmitQueues {

    private final int workers;
    /** Per interface index, per transmit queue: the lock, or null when one worker alone uses the queue. */
    private volatile Object[][] locks = new Object[0][];

    TransmitQueues(int workers) {
        this.workers = workers;
    }

    synchronized void register(int ifIndex, Device device) {
        int queues = device.transmitQueueCount();
        Object[] perQueue = new Object[queues];
        for (int q = 0; q < queues; q++) {
            // Workers q, q + queues, q + 2 * queues, ... use queue q.
            if (workers - q > queues) {
                perQueue[q] = new Object();
            }
        }
        Object[][] next = Arrays.copyOf(locks, Math.max(locks.length, ifIndex + 1));
        next[ifIndex] = perQueue;
        locks = next;
    }

    /** Whether interface {@code ifIndex} was registered. */
    boolean isRegistered(int ifIndex) {
        Object[][] current = locks;
        return ifIndex >= 0 && ifIndex < current.length && current[ifIndex] != null;
    }

    /** The lock worker {@code worker} takes to transmit on {@code ifIndex}, or null when its queue is its own. */
    Object lock(int ifIndex, int queue) {
        return locks[ifIndex][queue];
    }

    static int queueOf(int worker, Device device) {
        return worker % device.transmitQueueCount();
    }
}
