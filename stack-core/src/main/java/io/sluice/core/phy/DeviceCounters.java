package io.sluice.core.phy;

/**
 * A device's packet counters, one slot per queue: each queue is written by the one worker serving it, so the
 * counters are plain longs with no atomics; readers ({@code show interface}, the stats segment) sum them and accept
 * a value a few packets old.
 */
public final class DeviceCounters {

    private final long[] rxPackets;
    private final long[] rxBytes;
    private final long[] rxDrops;
    private final long[] txPackets;
    private final long[] txBytes;
    private final long[] txDrops;

    public DeviceCounters(int receiveQueues, int transmitQueues) {
        if (receiveQueues < 1 || transmitQueues < 1) {
            throw new IllegalArgumentException(
                    "a device needs queues: " + receiveQueues + " rx, " + transmitQueues + " tx");
        }
        rxPackets = new long[receiveQueues];
        rxBytes = new long[receiveQueues];
        rxDrops = new long[receiveQueues];
        txPackets = new long[transmitQueues];
        txBytes = new long[transmitQueues];
        txDrops = new long[transmitQueues];
    }

    public int receiveQueueCount() {
        return rxPackets.length;
    }

    public int transmitQueueCount() {
        return txPackets.length;
    }

    /** Counts a frame received on {@code queue}. */
    public void received(int queue, int bytes) {
        rxPackets[queue]++;
        rxBytes[queue] += bytes;
    }

    /** Counts a frame that arrived on {@code queue} but could not be taken (no buffer, malformed device header). */
    public void receiveDropped(int queue) {
        rxDrops[queue]++;
    }

    /** Counts a frame sent on {@code queue}. */
    public void transmitted(int queue, int bytes) {
        txPackets[queue]++;
        txBytes[queue] += bytes;
    }

    /** Counts a frame dropped on {@code queue} instead of sent. */
    public void transmitDropped(int queue) {
        txDrops[queue]++;
    }

    public long rxPackets() {
        return sum(rxPackets);
    }

    public long rxBytes() {
        return sum(rxBytes);
    }

    public long rxDrops() {
        return sum(rxDrops);
    }

    public long txPackets() {
        return sum(txPackets);
    }

    public long txBytes() {
        return sum(txBytes);
    }

    public long txDrops() {
        return sum(txDrops);
    }

    private static long sum(long[] perQueue) {
        long total = 0;
        for (long v : perQueue) {
            total += v;
        }
        return total;
    }
}
