package io.sluice.session.control;

import static io.sluice.session.control.ControlColumn.decimal;
import static io.sluice.session.control.ControlColumn.integer;
import static io.sluice.session.control.ControlColumn.text;

import java.util.List;

/**
 * The tables the stack fills for each {@code show} command: titles and column sets in one place, so the daemon,
 * the CLI and the tests agree. The daemon takes a builder from here and adds rows in the column order below.
 */
public final class ControlTables {

    /** {@code show interface}: one row per interface. ip4 lists the addresses with prefix length, comma-separated. */
    public static final List<ControlColumn> INTERFACES = List.of(text("name"), integer("index"), text("state"),
            integer("mtu"), integer("rx-packets"), integer("rx-bytes"), integer("rx-drops"), integer("tx-packets"),
            integer("tx-bytes"), integer("tx-drops"), text("ip4"));

    /** {@code show hardware}: one row per device; details is the device's own description (e.g. its tap fd). */
    public static final List<ControlColumn> HARDWARE = List.of(text("name"), integer("index"), text("kind"),
            text("mac"), integer("mtu"), integer("rx-queues"), integer("tx-queues"), text("details"));

    /** {@code show runtime}: one table per worker, one row per node that ran. */
    public static final List<ControlColumn> RUNTIME = List.of(text("node"), integer("calls"), integer("vectors"),
            decimal("vectors/call"), decimal("ns/packet"));

    /** {@code show runtime}: the worker loops, one row per worker. */
    public static final List<ControlColumn> WORKER_LOOPS = List.of(integer("thread"), integer("worker"),
            integer("passes"), integer("sleeps"));

    /** {@code show errors}: one row per node and reason with a non-zero count, summed over the workers. */
    public static final List<ControlColumn> ERRORS = List.of(integer("count"), text("node"), text("reason"),
            text("description"));

    /** {@code show buffers}: one row for the pool. */
    public static final List<ControlColumn> BUFFERS = List.of(integer("total"), integer("free"), integer("in-use"),
            integer("cached"), integer("alloc-failures"), integer("double-frees"), integer("data-size"));

    /** {@code show threads}: the main thread and the workers; cpu is -1 when not pinned. */
    public static final List<ControlColumn> THREADS = List.of(integer("id"), text("name"), text("type"),
            integer("cpu"), integer("tid"), text("state"));

    /** {@code show ip arp}: one row per neighbour; expires-in in seconds, -1 for static entries. */
    public static final List<ControlColumn> IP_ARP = List.of(text("interface"), text("address"), text("mac"),
            text("state"), integer("expires-in"));

    /** {@code show ip fib}: one row per prefix; type is e.g. connected, local, via, drop. */
    public static final List<ControlColumn> IP_FIB = List.of(text("prefix"), text("type"), text("next-hop"),
            text("interface"));

    /** {@code show interface rx-placement}: one row per receive queue; mode is adaptive or polling. */
    public static final List<ControlColumn> RX_PLACEMENT = List.of(text("interface"), integer("queue"),
            integer("worker"), text("mode"));

    /** {@code show tcp stats}: one row per counter, summed over the workers. */
    public static final List<ControlColumn> TCP_STATS = List.of(integer("count"), text("counter"),
            text("description"));

    /** {@code show tcp}: one row per connection; times in microseconds, windows in bytes. */
    public static final List<ControlColumn> TCP = List.of(integer("worker"), text("local"), text("remote"),
            text("state"), integer("cwnd"), integer("ssthresh"), integer("srtt-us"), integer("rttvar-us"),
            integer("rto-us"), integer("flight"), integer("sacked"), integer("snd-wnd"), integer("rcv-wnd"),
            integer("snd-shift"), integer("rcv-shift"), integer("mss"), integer("retransmits"), integer("timeouts"));

    /** {@code show app}: one row per attached application. */
    public static final List<ControlColumn> APPS = List.of(integer("index"), text("name"), integer("workers"),
            integer("fifo-segments"), integer("fifo-pairs"), integer("sessions"));

    /** {@code show session}: one row per session; FIFO fills in bytes. */
    public static final List<ControlColumn> SESSIONS = List.of(text("handle"), text("app"), integer("app-worker"),
            integer("worker"), text("state"), text("local"), text("remote"), integer("rx-fill"), integer("tx-fill"));

    /** {@code show session verbose}: the same and the TCP state, FIFO sizes and the FIFO segment. */
    public static final List<ControlColumn> SESSIONS_VERBOSE = List.of(text("handle"), text("app"),
            integer("app-worker"), integer("worker"), text("state"), text("local"), text("remote"), integer("rx-fill"),
            integer("tx-fill"), text("tcp-state"), integer("rx-size"), integer("tx-size"), integer("segment"));

    /** {@code show segment}: one row per segment of an attached application. */
    public static final List<ControlColumn> SEGMENTS = List.of(integer("app"), text("name"), integer("segment"),
            text("kind"), integer("bytes"), integer("slots"), integer("in-use"));

    /** {@code show mq}: one row per message queue of an attached application. */
    public static final List<ControlColumn> QUEUES = List.of(integer("app"), text("name"), text("queue"),
            text("producers"), integer("slots"), integer("slot-bytes"), integer("waiting"), integer("full"),
            integer("wakeups"));

    private ControlTables() {}

    /** @return a builder for {@code show interface} */
    public static ControlTable.Builder interfaces() {
        return ControlTable.builder("Interfaces", INTERFACES);
    }

    /** @return a builder for {@code show hardware} */
    public static ControlTable.Builder hardware() {
        return ControlTable.builder("Hardware", HARDWARE);
    }

    /**
     * A worker's node table, titled as vppctl titles its per-thread sections.
     *
     * @param thread the thread id as {@code show threads} gives it (the main thread is 0)
     * @param worker the worker number, from 0
     * @return a builder for one worker's part of {@code show runtime}
     */
    public static ControlTable.Builder runtime(int thread, int worker) {
        return ControlTable.builder("Thread " + thread + " worker " + worker, RUNTIME);
    }

    /** @return a builder for the worker-loop part of {@code show runtime} */
    public static ControlTable.Builder workerLoops() {
        return ControlTable.builder("Worker loops", WORKER_LOOPS);
    }

    /** @return a builder for {@code show errors} */
    public static ControlTable.Builder errors() {
        return ControlTable.builder("Errors", ERRORS);
    }

    /** @return a builder for {@code show buffers} */
    public static ControlTable.Builder buffers() {
        return ControlTable.builder("Buffers", BUFFERS);
    }

    /** @return a builder for {@code show threads} */
    public static ControlTable.Builder threads() {
        return ControlTable.builder("Threads", THREADS);
    }

    /** @return a builder for {@code show ip arp} */
    public static ControlTable.Builder ipArp() {
        return ControlTable.builder("IPv4 neighbours", IP_ARP);
    }

    /** @return a builder for {@code show ip fib} */
    public static ControlTable.Builder ipFib() {
        return ControlTable.builder("IPv4 FIB", IP_FIB);
    }

    /** @return a builder for {@code show interface rx-placement} */
    public static ControlTable.Builder rxPlacement() {
        return ControlTable.builder("Receive queue placement", RX_PLACEMENT);
    }

    /** @return a builder for {@code show tcp stats} */
    public static ControlTable.Builder tcpStats() {
        return ControlTable.builder("TCP statistics", TCP_STATS);
    }

    /** @return a builder for {@code show segment} */
    public static ControlTable.Builder segments() {
        return ControlTable.builder("Segments", SEGMENTS);
    }

    /** @return a builder for {@code show mq} */
    public static ControlTable.Builder queues() {
        return ControlTable.builder("Message queues", QUEUES);
    }

    /** @return a builder for {@code show app} */
    public static ControlTable.Builder apps() {
        return ControlTable.builder("Applications", APPS);
    }

    /** @return a builder for {@code show session}, with the verbose columns when asked */
    public static ControlTable.Builder sessions(boolean verbose) {
        return ControlTable.builder("Sessions", verbose ? SESSIONS_VERBOSE : SESSIONS);
    }

    /** @return a builder for {@code show tcp} */
    public static ControlTable.Builder tcp() {
        return ControlTable.builder("TCP connections", TCP);
    }
}
