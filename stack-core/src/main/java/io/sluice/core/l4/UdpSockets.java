package io.sluice.core.l4;

import io.sluice.core.buffer.BufferPool;
import io.sluice.core.wire.Ipv4;
import io.sluice.core.wire.Udp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.IntConsumer;

/**
 * The stack's UDP sockets: binds them into the shared {@link UdpPortTable}, gives each an owning worker (round-robin
 * at bind) whose udp4-socket-output node sends its datagrams, starts the built-in echo service, and lists the
 * sockets for the CLI. One instance per stack, shared by all workers and application threads.
 *
 * <p>Each worker's list of owned sockets is a copy-on-write array behind an {@link AtomicReferenceArray} slot: the
 * output node reads it every pass without locks or allocation; bind and close (rare) replace it.
 */
public final class UdpSockets {

    /** Largest UDP payload over IPv4: 65535 − 20 (IPv4 header) − 8 (UDP header). */
    public static final int MAX_UDP4_PAYLOAD = 65507;
    /** Receive and transmit slots per socket unless said otherwise. */
    public static final int DEFAULT_SLOTS = 64;

    private static final UdpSocket[] NONE = new UdpSocket[0];

    private final UdpPortTable table;
    private final int workers;
    private final int maxPayload;
    private final IntConsumer wakeWorker;
    private final AtomicReferenceArray<UdpSocket[]> owned;
    private final AtomicInteger nextWorker = new AtomicInteger();

    /**
     * @param table the port table udp4-input reads
     * @param workers number of workers; sockets are spread over {@code 0..workers-1}
     * @param maxPayload largest payload a socket sends or receives ({@link #maxPayloadFor})
     * @param wakeWorker wakes a sleeping worker after a datagram was queued for it to send
     */
    public UdpSockets(UdpPortTable table, int workers, int maxPayload, IntConsumer wakeWorker) {
        if (workers < 1) {
            throw new IllegalArgumentException("UDP sockets need at least one worker, got " + workers);
        }
        if (maxPayload < 0 || maxPayload > MAX_UDP4_PAYLOAD) {
            throw new IllegalArgumentException("UDP payload limit " + maxPayload + " is outside 0.."
                    + MAX_UDP4_PAYLOAD);
        }
        this.table = table;
        this.workers = workers;
        this.maxPayload = maxPayload;
        this.wakeWorker = wakeWorker;
        this.owned = new AtomicReferenceArray<>(workers);
        for (int w = 0; w < workers; w++) {
            owned.set(w, NONE);
        }
    }

    /**
     * The largest payload one buffer of {@code pool} carries with its IPv4 and UDP headers at the data start (the
     * link header goes in the headroom), and at most {@link #MAX_UDP4_PAYLOAD}.
     */
    public static int maxPayloadFor(BufferPool pool) {
        return Math.min(MAX_UDP4_PAYLOAD, pool.dataSize() - Ipv4.MIN_HEADER_LENGTH - Udp.HEADER_LENGTH);
    }

    /** The port table the sockets are bound in. */
    public UdpPortTable table() {
        return table;
    }

    /** Number of workers. */
    public int workers() {
        return workers;
    }

    /** Binds a socket with {@link #DEFAULT_SLOTS} receive and transmit slots; see {@link #bind(int, int, int, int)}. */
    public UdpSocket bind(int localAddress, int port) {
        return bind(localAddress, port, DEFAULT_SLOTS, DEFAULT_SLOTS);
    }

    /**
     * Binds a socket to {@code localAddress} (0: any) and {@code port} (0: an ephemeral port).
     *
     * @param rxSlots received datagrams the socket queues at most (at least 2)
     * @param txSlots datagrams to send it queues at most (at least 2)
     * @throws IllegalArgumentException if the port is taken or a value is out of range, naming it
     */
    public UdpSocket bind(int localAddress, int port, int rxSlots, int txSlots) {
        if (rxSlots < 2 || txSlots < 2) {
            throw new IllegalArgumentException("a UDP socket needs at least 2 receive and 2 transmit slots, got "
                    + rxSlots + " and " + txSlots);
        }
        int worker = Math.floorMod(nextWorker.getAndIncrement(), workers);
        UdpSocket socket = table.bind(localAddress, port,
                p -> new UdpSocket(this, localAddress, p, worker, maxPayload, rxSlots, txSlots));
        synchronized (this) {
            UdpSocket[] before = owned.get(worker);
            UdpSocket[] after = Arrays.copyOf(before, before.length + 1);
            after[before.length] = socket;
            owned.set(worker, after);
        }
        return socket;
    }

    /**
     * Starts the built-in echo service on {@code localAddress} (0: any) and {@code port}
     * ({@link UdpEchoService#ECHO_PORT} is the standard one).
     *
     * @throws IllegalArgumentException if the port is taken
     */
    public UdpEchoService startEcho(int localAddress, int port) {
        return table.bind(localAddress, port, p -> new UdpEchoService(table, localAddress, p));
    }

    /** Every open socket's counters, for the CLI (allocates). */
    public List<UdpSocketInfo> snapshot() {
        List<UdpSocketInfo> out = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            for (UdpSocket s : owned.get(w)) {
                out.add(s.info());
            }
        }
        return out;
    }

    /** The sockets {@code worker} sends for: read every pass by its output node, never modified. */
    UdpSocket[] ownedBy(int worker) {
        return owned.get(worker);
    }

    void wake(int worker) {
        wakeWorker.accept(worker);
    }

    /** Called by {@link UdpSocket#close}: unbind and stop polling it. */
    void closed(UdpSocket socket) {
        table.unbind(socket.localAddress(), socket.localPort(), socket);
        synchronized (this) {
            UdpSocket[] before = owned.get(socket.worker());
            UdpSocket[] after = new UdpSocket[before.length - 1];
            int n = 0;
            for (UdpSocket s : before) {
                if (s != socket && n < after.length) {
                    after[n++] = s;
                }
            }
            owned.set(socket.worker(), after);
        }
    }
}
