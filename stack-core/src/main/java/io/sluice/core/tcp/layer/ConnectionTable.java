package io.sluice.core.tcp.layer;

import io.sluice.core.engine.FlowSteering;

/**
 * One worker's connections by 4-tuple: open addressing with linear probing over parallel arrays, deletion by
 * backward shift (no tombstones, so a table that churns through millions of connections never degrades). Lookups
 * allocate nothing. Single-threaded: only the owning worker touches it.
 *
 * <p>The slot comes from the high bits of the flow hash times a constant: the low bits of {@link FlowSteering#hash}
 * chose the worker, so on one worker of W they are all alike and would leave most slots unused.
 */
final class ConnectionTable {

    private final long[] addresses;
    private final int[] ports;
    private final TcpFlow[] flows;
    private final int shift;
    private final int mask;
    private final int capacity;
    private int size;

    /** A table for up to {@code capacity} connections (the arrays are the next power of two above twice that). */
    ConnectionTable(int capacity) {
        if (capacity < 1 || capacity > 1 << 24) {
            throw new IllegalArgumentException("connection table capacity " + capacity + " is outside 1.." + (1 << 24));
        }
        int slots = Integer.highestOneBit(capacity * 2 - 1) << 1;
        this.capacity = capacity;
        this.addresses = new long[slots];
        this.ports = new int[slots];
        this.flows = new TcpFlow[slots];
        this.mask = slots - 1;
        this.shift = 32 - Integer.numberOfTrailingZeros(slots);
    }

    int size() {
        return size;
    }

    int capacity() {
        return capacity;
    }

    /** The connection of this 4-tuple (addresses and ports as seen locally), or null. */
    TcpFlow lookup(int localAddress, int localPort, int remoteAddress, int remotePort) {
        long a = key(localAddress, remoteAddress);
        int p = localPort << 16 | remotePort;
        for (int i = slot(localAddress, localPort, remoteAddress, remotePort); ; i = i + 1 & mask) {
            TcpFlow f = flows[i];
            if (f == null) {
                return null;
            }
            if (addresses[i] == a && ports[i] == p) {
                return f;
            }
        }
    }

    /**
     * Adds {@code flow} under its 4-tuple.
     *
     * @return false when the table is full or the 4-tuple is taken
     */
    boolean insert(TcpFlow flow) {
        if (size >= capacity) {
            return false;
        }
        long a = key(flow.localAddress(), flow.remoteAddress());
        int p = flow.localPort() << 16 | flow.remotePort();
        int i = slot(flow.localAddress(), flow.localPort(), flow.remoteAddress(), flow.remotePort());
        for (; flows[i] != null; i = i + 1 & mask) {
            if (addresses[i] == a && ports[i] == p) {
                return false;
            }
        }
        addresses[i] = a;
        ports[i] = p;
        flows[i] = flow;
        size++;
        return true;
    }

    /** Removes {@code flow} if it is the one held under its 4-tuple; returns whether it was. */
    boolean remove(TcpFlow flow) {
        long a = key(flow.localAddress(), flow.remoteAddress());
        int p = flow.localPort() << 16 | flow.remotePort();
        int i = slot(flow.localAddress(), flow.localPort(), flow.remoteAddress(), flow.remotePort());
        for (; flows[i] != null; i = i + 1 & mask) {
            if (addresses[i] == a && ports[i] == p) {
                if (flows[i] != flow) {
                    return false;
                }
                deleteAt(i);
                size--;
                return true;
            }
        }
        return false;
    }

    /** Backward-shift deletion: moves later members of the probe run into the hole where they belong. */
    private void deleteAt(int hole) {
        int i = hole;
        while (true) {
            i = i + 1 & mask;
            TcpFlow f = flows[i];
            if (f == null) {
                break;
            }
            int home = slot(f.localAddress(), f.localPort(), f.remoteAddress(), f.remotePort());
            // Move f into the hole unless its home lies cyclically in (hole, i].
            boolean homeAfterHole = hole <= i ? hole < home && home <= i : hole < home || home <= i;
            if (!homeAfterHole) {
                addresses[hole] = addresses[i];
                ports[hole] = ports[i];
                flows[hole] = f;
                hole = i;
            }
        }
        addresses[hole] = 0;
        ports[hole] = 0;
        flows[hole] = null;
    }

    /** Calls {@code visitor} for every connection (control path: listing, shutdown). */
    void forEach(java.util.function.Consumer<TcpFlow> visitor) {
        for (TcpFlow f : flows) {
            if (f != null) {
                visitor.accept(f);
            }
        }
    }

    private int slot(int localAddress, int localPort, int remoteAddress, int remotePort) {
        return FlowSteering.hash(localAddress, localPort, remoteAddress, remotePort) * 0x9e37_79b9 >>> shift & mask;
    }

    private static long key(int localAddress, int remoteAddress) {
        return (long) localAddress << 32 | remoteAddress & 0xffff_ffffL;
    }
}
