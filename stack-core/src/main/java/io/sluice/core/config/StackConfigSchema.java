package io.sluice.core.config;

import io.sluice.core.buffer.BufferPoolConfig;
import io.sluice.core.tcp.cc.CongestionControls;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The stack's {@code startup.conf} ({@code bin/sluice stack -c startup.conf}): VPP's section and key names for
 * what Sluice supports. Read it with {@link StackConfig#load}.
 *
 * <h2>Sections ignored with a warning</h2>
 * {@code dpdk}, {@code plugins}, {@code api-trace}, {@code api-segment} and {@code socksvr} configure parts of VPP
 * that Sluice does not have and will not have: DPDK drivers (Sluice's devices are TAP interfaces, declared with
 * {@code tap} sections), a plugin loader (everything is built in) and VPP's binary API and its shared memory
 * (applications attach through the session layer's socket only). Files written for VPP, like the Envoy VCL
 * example with its {@code dpdk} section, contain them; rejecting the whole file for them would only make users
 * delete lines, so Sluice parses them (a syntax error is still an error), ignores them and logs one warning each,
 * saying why. Every other unknown section is an error.
 *
 * <h2>Interfaces</h2>
 * VPP creates TAP interfaces with the CLI ({@code create tap host-if-name ... host-ip4-addr ...}); Sluice creates
 * them at start from repeatable {@code tap} sections using the same option names, plus {@code ip4-addr}, the
 * address the stack itself answers on (VPP's {@code set interface ip address}).
 */
public final class StackConfigSchema {

    // unix

    /** {@code nodaemon}: stay in the foreground. */
    public static final ConfigKey<Boolean> NODAEMON = ConfigKey.flag("nodaemon", "stay in the foreground");

    /** {@code interactive}: run the CLI on the terminal. */
    public static final ConfigKey<Boolean> INTERACTIVE = ConfigKey.flag("interactive",
            "run the CLI on standard input and output");

    /** {@code cli-listen}: where the CLI listens, a Unix socket path or host:port. No default: no CLI socket. */
    public static final ConfigKey<String> CLI_LISTEN = ConfigKey.value("cli-listen",
            ValueTypes.string("a Unix socket path or host:port", 4096), null, "where the CLI listens");

    /** {@code log}: the log file. No default: standard error. */
    public static final ConfigKey<Path> LOG = ConfigKey.value("log", ValueTypes.path("a log file path"), null,
            "the log file");

    /** {@code full-coredump}: ask for core dumps with all mappings (shared segments included). */
    public static final ConfigKey<Boolean> FULL_COREDUMP = ConfigKey.flag("full-coredump",
            "include all memory mappings in core dumps");

    /** {@code gid}: the group that owns the stack's sockets and segments. */
    public static final ConfigKey<String> GID = ConfigKey.value("gid", ValueTypes.group(), null,
            "group owning the CLI and application sockets");

    /** The {@code unix} section. */
    public static final SectionSchema UNIX = SectionSchema.builder("unix")
            .keys(NODAEMON, INTERACTIVE, CLI_LISTEN, LOG, FULL_COREDUMP, GID)
            .unsupported("exec", "startup CLI scripts are not supported yet")
            .unsupported("startup-config", "startup CLI scripts are not supported yet")
            .unsupported("runtime-dir", "not supported yet")
            .build();

    // cpu

    /** {@code main-core}: the CPU of the main thread. No default: not pinned. */
    public static final ConfigKey<Integer> MAIN_CORE = ConfigKey.value("main-core",
            ValueTypes.intRange(0, CpuList.MAX_CPU), null, "CPU of the main thread");

    /** {@code corelist-workers}: one worker per listed CPU. Excludes {@code workers}. */
    public static final ConfigKey<CpuList> CORELIST_WORKERS = ConfigKey.value("corelist-workers",
            ValueTypes.cpuList(), null, "CPUs of the worker threads, one worker each");

    /**
     * {@code workers}: how many workers, placed on the CPUs after the main core and the skipped ones. No default:
     * absent means one worker per CPU but one (at least one); {@code workers 0} means no worker threads, the main
     * thread runs the packet graph itself.
     */
    public static final ConfigKey<Integer> WORKERS = ConfigKey.value("workers", ValueTypes.intRange(0, 256), null,
            "number of worker threads (0: the main thread runs the packet graph)");

    /** {@code skip-cores}: how many of the first CPUs {@code workers} placement leaves alone. */
    public static final ConfigKey<Integer> SKIP_CORES = ConfigKey.value("skip-cores",
            ValueTypes.intRange(0, CpuList.MAX_CPU), 0, "number of low CPUs left to the system");

    /** The {@code cpu} section. */
    public static final SectionSchema CPU = SectionSchema.builder("cpu")
            .keys(MAIN_CORE, CORELIST_WORKERS, WORKERS, SKIP_CORES)
            .unsupported("coremask-workers", "use corelist-workers")
            .unsupported("scheduler-policy", "not supported: workers run under the JVM's scheduling")
            .unsupported("scheduler-priority", "not supported: workers run under the JVM's scheduling")
            .build();

    // buffers

    /** {@code buffers-per-numa}: packet buffers in the pool. */
    public static final ConfigKey<Integer> BUFFERS_PER_NUMA = ConfigKey.value("buffers-per-numa",
            ValueTypes.intRange(1, BufferPoolConfig.MAX_BUFFER_COUNT), BufferPoolConfig.DEFAULT_BUFFER_COUNT,
            "packet buffers in the pool");

    /** {@code default-data-size}: bytes of packet data per buffer. */
    public static final ConfigKey<Integer> DEFAULT_DATA_SIZE = ConfigKey.value("default-data-size",
            ValueTypes.intRange(1, BufferPoolConfig.MAX_DATA_SIZE), BufferPoolConfig.DEFAULT_DATA_SIZE,
            "bytes of packet data per buffer");

    /** The {@code buffers} section. */
    public static final SectionSchema BUFFERS = SectionSchema.builder("buffers")
            .keys(BUFFERS_PER_NUMA, DEFAULT_DATA_SIZE)
            .unsupported("page-size", "buffers use the JVM's off-heap memory with normal pages")
            .build();

    // session

    /** {@code enable}: enable the session layer at start (it always is in Sluice; accepted for VPP files). */
    public static final ConfigKey<Boolean> ENABLE = ConfigKey.flag("enable", "enable the session layer");

    /** {@code use-app-socket-api}: accept applications on the session layer's socket. */
    public static final ConfigKey<Boolean> USE_APP_SOCKET_API = ConfigKey.flag("use-app-socket-api",
            "accept application attachments on the session layer's Unix socket");

    /** {@code event-queue-length}: slots of each worker's message queue to applications. */
    public static final ConfigKey<Integer> EVENT_QUEUE_LENGTH = ConfigKey.value("event-queue-length",
            ValueTypes.intRange(16, VclConfigSchema.MAX_EVENT_QUEUE_SIZE), 16384,
            "slots of each worker's incoming message queue");

    /** {@code evt_qs_memfd_seg}: VPP's switch to put event queues in a memfd segment; Sluice always does. */
    public static final ConfigKey<Boolean> EVT_QS_MEMFD_SEG = ConfigKey.flag("evt_qs_memfd_seg",
            "event queues in a memfd segment (always so in Sluice)");

    /**
     * {@code app-socket-api}: where the stack accepts applications (the attach socket). No default: the session
     * layer's own default path.
     */
    public static final ConfigKey<Path> APP_SOCKET_API = ConfigKey.value("app-socket-api",
            ValueTypes.socketPath("a Unix socket path"), null, "Unix socket where the stack accepts applications");

    /** {@code app-socket-mode}: permission bits of the attach socket's file; by default only its owner may attach. */
    public static final ConfigKey<Integer> APP_SOCKET_MODE = ConfigKey.value("app-socket-mode", ValueTypes.fileMode(),
            0600, "permission bits of the application socket file");

    /** The {@code session} section. */
    public static final SectionSchema SESSION = SectionSchema.builder("session")
            .keys(ENABLE, USE_APP_SOCKET_API, EVENT_QUEUE_LENGTH, EVT_QS_MEMFD_SEG, APP_SOCKET_API, APP_SOCKET_MODE)
            .build();

    // tcp

    /** {@code cc-algo}: congestion control. */
    public static final ConfigKey<String> CC_ALGO = ConfigKey.value("cc-algo",
            ValueTypes.oneOf(CongestionControls.NAMES.toArray(String[]::new)), CongestionControls.DEFAULT,
            "congestion control algorithm");

    /** {@code max-connections}: connections one worker holds at most (any state but CLOSED). */
    public static final ConfigKey<Integer> MAX_CONNECTIONS = ConfigKey.value("max-connections",
            ValueTypes.intRange(1, 1 << 22), 16_384, "TCP connections per worker at most");

    /** {@code syn-queue}: a listener's connections in SYN-RECEIVED at most; SYN cookies beyond. */
    public static final ConfigKey<Integer> SYN_QUEUE = ConfigKey.value("syn-queue", ValueTypes.intRange(1, 1 << 20),
            1024, "connections in SYN-RECEIVED per listener before SYN cookies");

    /** The {@code tcp} section. */
    public static final SectionSchema TCP = SectionSchema.builder("tcp").keys(CC_ALGO, MAX_CONNECTIONS, SYN_QUEUE)
            .build();

    // tap (repeatable)

    /** {@code host-if-name}: the Linux name of the TAP interface. Required. */
    public static final ConfigKey<String> HOST_IF_NAME = ConfigKey.required("host-if-name",
            ValueTypes.interfaceName(), "Linux name of the TAP interface");

    /** {@code host-ip4-addr}: address and prefix given to the Linux side. No default: left unconfigured. */
    public static final ConfigKey<String> HOST_IP4_ADDR = ConfigKey.value("host-ip4-addr", ValueTypes.ipv4Prefix(),
            null, "IPv4 address and prefix of the Linux side");

    /** {@code host-mac-addr}: Ethernet address of the Linux side. No default: the kernel's. */
    public static final ConfigKey<String> HOST_MAC_ADDR = ConfigKey.value("host-mac-addr",
            ValueTypes.macAddress(), null, "Ethernet address of the Linux side");

    /** {@code host-ns}: the network namespace the Linux side is moved into. No default: the stack's namespace. */
    public static final ConfigKey<String> HOST_NS = ConfigKey.value("host-ns", ValueTypes.namespaceName(), null,
            "network namespace of the Linux side (created if absent)");

    /** {@code ip4-addr}: the stack's own address and prefix on this interface. Required. */
    public static final ConfigKey<String> IP4_ADDR = ConfigKey.required("ip4-addr", ValueTypes.ipv4Prefix(),
            "IPv4 address and prefix of the stack on this interface");

    /** {@code hw-addr}: the stack's Ethernet address. No default: a random locally administered one. */
    public static final ConfigKey<String> HW_ADDR = ConfigKey.value("hw-addr", ValueTypes.macAddress(), null,
            "Ethernet address of the stack's side");

    /** {@code host-mtu-size}: the interface MTU. */
    public static final ConfigKey<Integer> HOST_MTU_SIZE = ConfigKey.value("host-mtu-size",
            ValueTypes.intRange(68, 65535), 1500, "MTU of the interface");

    /** {@code num-rx-queues}: TAP queues (multi-queue TAP), normally one per worker. */
    public static final ConfigKey<Integer> NUM_RX_QUEUES = ConfigKey.value("num-rx-queues",
            ValueTypes.intRange(1, 256), 1, "number of queues");

    /** {@code rx-mode}: how the serving worker waits for frames, {@code adaptive} or {@code polling}. */
    public static final ConfigKey<String> RX_MODE = ConfigKey.value("rx-mode",
            ValueTypes.oneOf("adaptive", "polling"), "adaptive",
            "adaptive: poll while busy, sleep when idle; polling: never sleep (lowest latency, a busy CPU)");

    /** A {@code tap} section: one TAP interface. */
    public static final SectionSchema TAP = SectionSchema.builder("tap")
            .keys(HOST_IF_NAME, HOST_NS, HOST_IP4_ADDR, HOST_MAC_ADDR, IP4_ADDR, HW_ADDR, HOST_MTU_SIZE, NUM_RX_QUEUES,
                    RX_MODE)
            .repeatable()
            .build();

    // app-namespace (repeatable)

    /** {@code id}: the application namespace's name, as applications give it in {@code namespace-id}. */
    public static final ConfigKey<String> NAMESPACE_ID = ConfigKey.required("id",
            ValueTypes.string("a namespace name", 64), "name of the application namespace");

    /** {@code secret}: what an application must give ({@code namespace-secret}) to attach to the namespace. */
    public static final ConfigKey<Long> NAMESPACE_SECRET = ConfigKey.required("secret", ValueTypes.unsigned64(),
            "secret applications give to attach to the namespace");

    /**
     * An {@code app-namespace} section: an application namespace and its secret (VPP adds them with the CLI,
     * {@code app ns add id ... secret ...}; Sluice reads them at start). The default namespace needs no section.
     */
    public static final SectionSchema APP_NAMESPACE = SectionSchema.builder("app-namespace")
            .keys(NAMESPACE_ID, NAMESPACE_SECRET)
            .repeatable()
            .build();

    /** VPP sections read and ignored with a warning, and why (see the class comment). */
    public static final Map<String, String> IGNORED_SECTIONS = Map.of(
            "dpdk", "Sluice has no DPDK driver; its interfaces are TAP devices declared in 'tap' sections",
            "plugins", "Sluice has no plugins; everything it supports is built in",
            "api-trace", "Sluice has no binary API",
            "api-segment", "Sluice has no binary API",
            "socksvr", "Sluice has no binary API; applications attach through the session layer's socket");

    /** The {@code startup.conf} schema. */
    public static final ConfigSchema SCHEMA = ConfigSchema.of("startup.conf",
            List.of(UNIX, CPU, BUFFERS, SESSION, TCP, TAP, APP_NAMESPACE), IGNORED_SECTIONS);

    private StackConfigSchema() {
    }
}
