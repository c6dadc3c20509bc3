package io.sluice.core.engine;

/**
 * Which worker owns a flow: a hash of the connection's 4-tuple, taken modulo the worker count. The receive path
 * (a transport node that finds a segment on the wrong worker hands it off) and the session layer (which places a
 * connection's state and queues) compute it alike, so every packet of a flow meets its state on one thread.
 *
 * <p>The hash is symmetric: swapping the two ends gives the same value, so the owner is the same whether the
 * 4-tuple is read from a received packet (source = remote) or from a local socket (source = local). It is a
 * 64-bit finaliser mix (the one of SplitMix64) of an order-free combination of the two ends: cheap, and good enough
 * that ports differing in one bit land on unrelated workers. Nothing here is secret; a peer that aims all its
 * flows at one worker only loads that worker, as with any RSS hash an attacker can compute.
 *
 * <p>A client picking its ephemeral port can pick one that lands its connection on the worker it runs on
 * ({@link #portForWorker}), so the connection's packets need no hand-off (VPP's host stack does the same).
 */
public final class FlowSteering {

    private FlowSteering() {}

    /** The hash of a flow between ({@code addressA}, {@code portA}) and ({@code addressB}, {@code portB}). */
    public static int hash(int addressA, int portA, int addressB, int portB) {
        long a = (addressA & 0xffff_ffffL) << 16 | (portA & 0xffff);
        long b = (addressB & 0xffff_ffffL) << 16 | (portB & 0xffff);
        // Order-free: min and max, so (a, b) and (b, a) give the same input.
        long low = Math.min(a, b);
        long high = Math.max(a, b);
        long z = low * 0x9e37_79b9_7f4a_7c15L + high;
        z = (z ^ (z >>> 30)) * 0xbf58_476d_1ce4_e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d0_49bb_1331_11ebL;
        return (int) (z ^ (z >>> 31));
    }

    /** The worker, 0 to {@code workers} − 1, that owns the flow. */
    public static int workerOf(int addressA, int portA, int addressB, int portB, int workers) {
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be at least 1, got " + workers);
        }
        return Math.floorMod(hash(addressA, portA, addressB, portB), workers);
    }

    /**
     * The first port at or after {@code first} (wrapping within [{@code first}, {@code last}]) from which a flow to
     * ({@code remoteAddress}, {@code remotePort}) lands on {@code worker}, or -1 when none in the range does. With
     * W workers about one port in W qualifies, so the search ends after a few steps.
     */
    public static int portForWorker(int localAddress, int remoteAddress, int remotePort, int worker, int workers,
            int first, int last, int start) {
        if (first < 1 || last > 65535 || first > last || start < first || start > last) {
            throw new IllegalArgumentException("port range [" + first + ", " + last + "] from " + start);
        }
        int span = last - first + 1;
        for (int i = 0; i < span; i++) {
            int port = first + (start - first + i) % span;
            if (workerOf(localAddress, port, remoteAddress, remotePort, workers) == worker) {
                return port;
            }
        }
        return -1;
    }
}
