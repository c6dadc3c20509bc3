package io.sluice.core.tcp.layer;

import io.sluice.core.engine.FlowSteering;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Local ports for active opens. A port chosen for a connection lands it on the worker that will own it
 * ({@link FlowSteering#portForWorker}), and is held, whatever the remote end, until the connection is gone: simpler
 * than per-destination reuse, and it bounds the stack at one outgoing connection per port of the range (about
 * 28,000 with the default range), which the session layer reports as a clear error when reached. The search starts
 * at a random port (RFC 6056 §3.3.1's simple randomisation) so ports are hard to predict.
 */
final class EphemeralPorts {

    /** Linux's default ephemeral range ({@code net.ipv4.ip_local_port_range}). */
    static final int DEFAULT_FIRST = 32768;
    static final int DEFAULT_LAST = 60999;

    private final int first;
    private final int last;
    private final AtomicLongArray inUse = new AtomicLongArray(65536 / 64);

    EphemeralPorts(int first, int last) {
        if (first < 1024 || last > 65535 || first > last) {
            throw new IllegalArgumentException("ephemeral port range " + first + "-" + last
                    + " must lie within 1024-65535");
        }
        this.first = first;
        this.last = last;
    }

    /**
     * A free port from which a connection to ({@code remoteAddress}, {@code remotePort}) lands on {@code worker},
     * marked in use, or -1 when every suitable port is taken.
     */
    int allocate(int localAddress, int remoteAddress, int remotePort, int worker, int workers) {
        int span = last - first + 1;
        int start = first + ThreadLocalRandom.current().nextInt(span);
        for (int tried = 0; tried < span; ) {
            int port = FlowSteering.portForWorker(localAddress, remoteAddress, remotePort, worker, workers, first,
                    last, start);
            if (port < 0) {
                return -1;
            }
            if (take(port)) {
                return port;
            }
            int skipped = Math.floorMod(port - start, span) + 1;
            tried += skipped;
            start = port == last ? first : port + 1;
        }
        return -1;
    }

    /** Takes a specific port (a bind before connect); false when it is in use. */
    boolean take(int port) {
        int word = port >>> 6;
        long bit = 1L << (port & 63);
        while (true) {
            long before = inUse.get(word);
            if ((before & bit) != 0) {
                return false;
            }
            if (inUse.compareAndSet(word, before, before | bit)) {
                return true;
            }
        }
    }

    void release(int port) {
        int word = port >>> 6;
        long bit = 1L << (port & 63);
        while (true) {
            long before = inUse.get(word);
            if (inUse.compareAndSet(word, before, before & ~bit)) {
                return;
            }
        }
    }
}
