package io.sluice.core.l4;

import io.sluice.core.wire.Ip4Address;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntFunction;

/**
 * Which receiver owns a local UDP (address, port): the table udp4-input and icmp4-input look datagrams up in.
 *
 * <p><b>Readers never wait and never allocate.</b> The table is an immutable open-addressing snapshot (keys in a
 * {@code long[]}, linear probing) behind one volatile reference. Workers read the reference and probe; binding and
 * unbinding (application and control threads, rare) build a new snapshot under the table's lock and publish it.
 * Copy-on-write costs a copy per bind, which is nothing next to a lookup per datagram on every worker.
 *
 * <p><b>Bind rules</b> (as Linux without {@code SO_REUSEADDR}): a specific address conflicts with the same address
 * and with the wildcard on that port; the wildcard conflicts with any address on that port. Port 0 asks for an
 * ephemeral port from {@link #EPHEMERAL_FIRST}..{@link #EPHEMERAL_LAST} (IANA's dynamic range, RFC 6335 §6),
 * starting at a random point (RFC 6056 §3.3.1's simple randomisation) and taking the first free one.
 */
public final class UdpPortTable {

    /** First ephemeral port. */
    public static final int EPHEMERAL_FIRST = 49152;
    /** Last ephemeral port. */
    public static final int EPHEMERAL_LAST = 65535;

    private static final long EMPTY = -1L;

    /** One published state: never modified after publication. */
    private record Snapshot(long[] keys, UdpReceiver[] receivers, int size) {
        static final Snapshot NONE = new Snapshot(new long[] {EMPTY, EMPTY}, new UdpReceiver[2], 0);

        UdpReceiver find(long key) {
            int mask = keys.length - 1;
            for (int i = slot(key, mask), probes = 0; probes <= mask; i = (i + 1) & mask, probes++) {
                long k = keys[i];
                if (k == key) {
                    return receivers[i];
                }
                if (k == EMPTY) {
                    return null;
                }
            }
            return null;
        }
    }

    private volatile Snapshot current = Snapshot.NONE;

    /**
     * The receiver of a datagram to {@code address}:{@code port}: the one bound to that address, else the one bound
     * to the wildcard, else null. Allocation-free; safe from any thread.
     */
    public UdpReceiver lookup(int address, int port) {
        Snapshot s = current;
        UdpReceiver r = s.find(key(address, port));
        return r != null || address == Ip4Address.ANY ? r : s.find(key(Ip4Address.ANY, port));
    }

    /** Number of bindings. */
    public int size() {
        return current.size();
    }

    /**
     * Binds the receiver {@code make} creates for the chosen port to {@code address}:{@code port} (address 0: any;
     * port 0: an ephemeral port), so the receiver knows its port from construction.
     *
     * @return the receiver bound
     * @throws IllegalArgumentException if the port is out of range or the binding conflicts with another, naming it
     * @throws IllegalStateException if no ephemeral port is free
     */
    public synchronized <R extends UdpReceiver> R bind(int address, int port, IntFunction<R> make) {
        if (port < 0 || port > 0xffff) {
            throw new IllegalArgumentException("UDP port " + port + " is outside 0..65535");
        }
        int chosen = port != 0 ? port : freeEphemeralPort(address);
        String conflict = conflict(address, chosen);
        if (conflict != null) {
            throw new IllegalArgumentException("UDP " + endpoint(address, chosen) + " is already bound (" + conflict
                    + ")");
        }
        R receiver = make.apply(chosen);
        current = with(current, key(address, chosen), receiver);
        return receiver;
    }

    /** Removes the binding of {@code address}:{@code port} if {@code receiver} holds it; returns whether it did. */
    public synchronized boolean unbind(int address, int port, UdpReceiver receiver) {
        Snapshot s = current;
        long key = key(address, port);
        if (s.find(key) != receiver) {
            return false;
        }
        Snapshot next = emptyOfCapacity(s.size() - 1);
        for (int i = 0; i < s.keys().length; i++) {
            if (s.keys()[i] != EMPTY && s.keys()[i] != key) {
                insert(next, s.keys()[i], s.receivers()[i]);
            }
        }
        current = new Snapshot(next.keys(), next.receivers(), s.size() - 1);
        return true;
    }

    /** Every binding's receiver, for listings (allocates). */
    public List<UdpReceiver> receivers() {
        Snapshot s = current;
        List<UdpReceiver> out = new ArrayList<>(s.size());
        for (int i = 0; i < s.keys().length; i++) {
            if (s.keys()[i] != EMPTY) {
                out.add(s.receivers()[i]);
            }
        }
        return out;
    }

    /** "address:port" as people write it. */
    static String endpoint(int address, int port) {
        return Ip4Address.format(address) + ":" + port;
    }

    private String conflict(int address, int port) {
        Snapshot s = current;
        if (s.find(key(address, port)) != null) {
            return "same address and port";
        }
        if (address != Ip4Address.ANY) {
            return s.find(key(Ip4Address.ANY, port)) != null ? "by " + endpoint(Ip4Address.ANY, port) : null;
        }
        for (long k : s.keys()) {
            if (k != EMPTY && (int) (k & 0xffff) == port) {
                return "by " + endpoint((int) (k >>> 16), port);
            }
        }
        return null;
    }

    private int freeEphemeralPort(int address) {
        int range = EPHEMERAL_LAST - EPHEMERAL_FIRST + 1;
        int start = ThreadLocalRandom.current().nextInt(range);
        for (int i = 0; i < range; i++) {
            int port = EPHEMERAL_FIRST + (start + i) % range;
            if (conflict(address, port) == null) {
                return port;
            }
        }
        throw new IllegalStateException("no free UDP ephemeral port in " + EPHEMERAL_FIRST + ".." + EPHEMERAL_LAST
                + " for " + Ip4Address.format(address));
    }

    private static Snapshot with(Snapshot s, long key, UdpReceiver receiver) {
        Snapshot next = emptyOfCapacity(s.size() + 1);
        for (int i = 0; i < s.keys().length; i++) {
            if (s.keys()[i] != EMPTY) {
                insert(next, s.keys()[i], s.receivers()[i]);
            }
        }
        insert(next, key, receiver);
        return new Snapshot(next.keys(), next.receivers(), s.size() + 1);
    }

    /** A table at most half full, so probes stay short. */
    private static Snapshot emptyOfCapacity(int entries) {
        int capacity = Integer.highestOneBit(Math.max(2, entries * 2 - 1)) << 1;
        long[] keys = new long[capacity];
        Arrays.fill(keys, EMPTY);
        return new Snapshot(keys, new UdpReceiver[capacity], 0);
    }

    private static void insert(Snapshot s, long key, UdpReceiver receiver) {
        int mask = s.keys().length - 1;
        int i = slot(key, mask);
        while (s.keys()[i] != EMPTY) {
            i = (i + 1) & mask;
        }
        s.keys()[i] = key;
        s.receivers()[i] = receiver;
    }

    private static long key(int address, int port) {
        return (address & 0xffff_ffffL) << 16 | port;
    }

    private static int slot(long key, int mask) {
        long h = key * 0x9e37_79b9_7f4a_7c15L;
        return (int) (h >>> 40) & mask;
    }
}
