package io.sluice.session.control;

/**
 * What a control client can ask the stack: a closed set, so the codec and every handler are checked for
 * completeness by the compiler. Requests are small values; the stack answers with a {@link ControlReply}.
 */
public sealed interface ControlRequest {

    /** {@code show interface}: one row per interface with its counters. */
    record ShowInterfaces() implements ControlRequest {}

    /** {@code show hardware}: one row per device (kind, MAC, queues, details). */
    record ShowHardware() implements ControlRequest {}

    /** {@code show runtime}: a table of node statistics per worker, and the workers' loop statistics. */
    record ShowRuntime() implements ControlRequest {}

    /** {@code show errors}: drop and error counters by node and reason. */
    record ShowErrors() implements ControlRequest {}

    /** {@code show buffers}: the packet buffer pool. */
    record ShowBuffers() implements ControlRequest {}

    /** {@code show threads}: the main thread and the workers. */
    record ShowThreads() implements ControlRequest {}

    /** {@code show ip arp}: the neighbour tables. */
    record ShowIpArp() implements ControlRequest {}

    /** {@code show ip fib}: the IPv4 forwarding table. */
    record ShowIpFib() implements ControlRequest {}

    /** {@code show tcp stats}: the stack's TCP counters, summed over the workers. */
    record ShowTcpStats() implements ControlRequest {}

    /** {@code show tcp}: every TCP connection with its windows, timers and counters. */
    record ShowTcp() implements ControlRequest {}

    /** {@code show app}: the attached applications. */
    record ShowApp() implements ControlRequest {}

    /**
     * {@code show session [verbose]}: one row per session of the session layer.
     *
     * @param verbose with the TCP state, FIFO sizes and segment ids
     */
    record ShowSession(boolean verbose) implements ControlRequest {}

    /** {@code show segment}: the shared-memory segments of the attached applications. */
    record ShowSegment() implements ControlRequest {}

    /** {@code show mq}: the message queues of the attached applications, with their fill and counters. */
    record ShowMq() implements ControlRequest {}

    /** {@code show interface rx-placement}: which worker polls which receive queue. */
    record ShowRxPlacement() implements ControlRequest {}

    /**
     * {@code set interface rx-placement <iface> queue <queue> worker <worker>}.
     *
     * @param iface the interface name
     * @param queue the receive queue, from 0
     * @param worker the worker, from 0
     */
    record SetRxPlacement(String iface, int queue, int worker) implements ControlRequest {
        public SetRxPlacement {
            requireName(iface);
            if (queue < 0 || worker < 0) {
                throw new IllegalArgumentException("queue and worker must be 0 or more, not " + queue + " and "
                        + worker);
            }
        }
    }

    /**
     * {@code set interface state <iface> up|down}.
     *
     * @param iface the interface name
     * @param up {@code true} for up
     */
    record SetInterfaceState(String iface, boolean up) implements ControlRequest {
        public SetInterfaceState {
            requireName(iface);
        }
    }

    /**
     * {@code set interface rx-mode <iface> polling|adaptive}: whether the workers serving the interface may sleep.
     *
     * @param iface the interface name
     * @param polling {@code true} for polling (never sleep), {@code false} for adaptive
     */
    record SetRxMode(String iface, boolean polling) implements ControlRequest {
        public SetRxMode {
            requireName(iface);
        }
    }

    /**
     * {@code clear runtime|errors|interfaces}: zero a set of counters.
     *
     * @param what the counters
     */
    record Clear(ClearTarget what) implements ControlRequest {
        public Clear {
            if (what == null) {
                throw new IllegalArgumentException("clear needs what to clear");
            }
        }
    }

    /**
     * {@code pcap trace [rx] [tx] [max N] [file PATH]}: capture packets to a pcap file.
     *
     * @param rx capture received packets
     * @param tx capture transmitted packets
     * @param maxPackets stop after this many packets
     * @param file the capture file, as the stack should open it (absolute)
     */
    record PcapTraceOn(boolean rx, boolean tx, int maxPackets, String file) implements ControlRequest {
        public PcapTraceOn {
            if (!rx && !tx) {
                throw new IllegalArgumentException("pcap trace needs rx, tx or both");
            }
            if (maxPackets <= 0) {
                throw new IllegalArgumentException("pcap trace max must be 1 or more, not " + maxPackets);
            }
            if (file == null || file.isEmpty()) {
                throw new IllegalArgumentException("pcap trace needs a file");
            }
        }
    }

    /** {@code pcap trace off}: stop capturing and close the file. */
    record PcapTraceOff() implements ControlRequest {}

    /** The counter sets {@link Clear} zeroes. */
    enum ClearTarget {
        /** node statistics and worker loop statistics ({@code show runtime}) */
        RUNTIME,
        /** error counters ({@code show errors}) */
        ERRORS,
        /** interface counters ({@code show interface}) */
        INTERFACES
    }

    private static void requireName(String iface) {
        if (iface == null || iface.isEmpty()) {
            throw new IllegalArgumentException("an interface name is needed");
        }
    }
}
