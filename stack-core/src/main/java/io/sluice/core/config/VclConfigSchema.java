package io.sluice.core.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The application side's {@code vcl.conf}: one {@code vcl { ... }} section with VCL's key names, so a file written
 * for VPP's VCL works unchanged when it uses only what Sluice supports. VCL keys Sluice does not support fail with
 * the reason. Read it with {@link VclConfig#load}; find it with {@link VclConfigLocator}.
 */
public final class VclConfigSchema {

    /** Smallest FIFO, as the session layer's FIFO layout allows. */
    public static final long MIN_FIFO_SIZE = 64;

    /** Largest FIFO: 1 GiB, the session layer's FIFO limit. */
    public static final long MAX_FIFO_SIZE = 1L << 30;

    /** Smallest shared memory segment: 64 KiB. */
    public static final long MIN_SEGMENT_SIZE = 64L << 10;

    /** Largest shared memory segment: 64 GiB. */
    public static final long MAX_SEGMENT_SIZE = 64L << 30;

    /** Largest message queue, in events (the session layer's slot-count limit). */
    public static final int MAX_EVENT_QUEUE_SIZE = 1 << 24;

    /** {@code rx-fifo-size}: bytes of each session's receive FIFO. Default 1 MiB, as VCL. */
    public static final ConfigKey<Long> RX_FIFO_SIZE = ConfigKey.value("rx-fifo-size",
            ValueTypes.size(MIN_FIFO_SIZE, MAX_FIFO_SIZE), 1L << 20, "bytes of each session's receive FIFO");

    /** {@code tx-fifo-size}: bytes of each session's transmit FIFO. Default 1 MiB, as VCL. */
    public static final ConfigKey<Long> TX_FIFO_SIZE = ConfigKey.value("tx-fifo-size",
            ValueTypes.size(MIN_FIFO_SIZE, MAX_FIFO_SIZE), 1L << 20, "bytes of each session's transmit FIFO");

    /** {@code segment-size}: bytes of the first shared memory segment with the stack. 256 MiB, as VCL. */
    public static final ConfigKey<Long> SEGMENT_SIZE = ConfigKey.value("segment-size",
            ValueTypes.size(MIN_SEGMENT_SIZE, MAX_SEGMENT_SIZE), 256L << 20,
            "bytes of the first shared memory segment");

    /** {@code add-segment-size}: bytes of each segment added when the first is full. 128 MiB, as VCL. */
    public static final ConfigKey<Long> ADD_SEGMENT_SIZE = ConfigKey.value("add-segment-size",
            ValueTypes.size(MIN_SEGMENT_SIZE, MAX_SEGMENT_SIZE), 128L << 20,
            "bytes of each segment added when the others are full");

    /** {@code app-socket-api}: the stack's attach socket. No default: the library decides when absent. */
    public static final ConfigKey<Path> APP_SOCKET_API = ConfigKey.value("app-socket-api",
            ValueTypes.path("the path of the stack's application socket"), null,
            "Unix socket where the stack accepts applications");

    /** {@code use-mq-eventfd}: the stack rings an eventfd when it posts to a sleeping application's queue. */
    public static final ConfigKey<Boolean> USE_MQ_EVENTFD = ConfigKey.flag("use-mq-eventfd",
            "message queues signal with an eventfd, so the application can sleep in epoll");

    /** {@code event-queue-size}: slots of each application worker's incoming message queue. Default 2048, as VCL. */
    public static final ConfigKey<Integer> EVENT_QUEUE_SIZE = ConfigKey.value("event-queue-size",
            ValueTypes.intRange(16, MAX_EVENT_QUEUE_SIZE), 2048, "slots of each worker's incoming message queue");

    /** {@code namespace-id}: the application namespace to attach to. Absent: the default namespace. */
    public static final ConfigKey<String> NAMESPACE_ID = ConfigKey.value("namespace-id",
            ValueTypes.string("a namespace name", 64), null, "application namespace to attach to");

    /** {@code namespace-secret}: the secret of that namespace. Default 0. */
    public static final ConfigKey<Long> NAMESPACE_SECRET = ConfigKey.value("namespace-secret",
            ValueTypes.unsigned64(), 0L, "secret of the application namespace");

    /** {@code app-scope-local}: sessions to other applications on the host may be cut through shared memory. */
    public static final ConfigKey<Boolean> APP_SCOPE_LOCAL = ConfigKey.flag("app-scope-local",
            "allow local (cut-through) sessions with other applications of the namespace");

    /** {@code app-scope-global}: the application uses the namespace's routing table (the network). */
    public static final ConfigKey<Boolean> APP_SCOPE_GLOBAL = ConfigKey.flag("app-scope-global",
            "allow sessions through the namespace's routing table");

    /** The {@code vcl} section. */
    public static final SectionSchema VCL = SectionSchema.builder("vcl")
            .keys(RX_FIFO_SIZE, TX_FIFO_SIZE, SEGMENT_SIZE, ADD_SEGMENT_SIZE, APP_SOCKET_API, USE_MQ_EVENTFD,
                    EVENT_QUEUE_SIZE, NAMESPACE_ID, NAMESPACE_SECRET, APP_SCOPE_LOCAL, APP_SCOPE_GLOBAL)
            .unsupported("heapsize", "the library's memory is the JVM's; size it with -Xmx")
            .unsupported("segment-baseva", "segments are mapped where the kernel places them and addressed by "
                    + "offset, so no fixed base address is needed")
            .unsupported("segment-type", "segments are always memfd")
            .unsupported("api-prefix", "Sluice has no binary API; applications attach through app-socket-api")
            .unsupported("api-socket-name",
                    "Sluice has no binary API; applications attach through app-socket-api")
            .unsupported("uid", "Sluice has no binary API; the attach socket's permissions control access")
            .unsupported("gid", "Sluice has no binary API; the attach socket's permissions control access")
            .unsupported("vpp-api-q-length", "Sluice has no binary API")
            .unsupported("app-proxy-transport-tcp", "proxy applications are not supported")
            .unsupported("app-proxy-transport-udp", "proxy applications are not supported")
            .unsupported("app_original_dst", "proxy applications are not supported")
            .unsupported("tls-engine", "Sluice has no TLS transport")
            .unsupported("huge_page", "segments use normal pages")
            .unsupported("multi-thread-workers", "each application thread that uses Sluice is its own worker")
            .unsupported("max-workers", "not supported yet: there is no limit on workers")
            .unsupported("preallocated-fifo-pairs", "FIFOs are allocated when sessions open")
            .unsupported("app-timeout", "not supported yet")
            .unsupported("session-timeout", "not supported yet")
            .build();

    /** The {@code vcl.conf} schema: the {@code vcl} section only. */
    public static final ConfigSchema SCHEMA = ConfigSchema.of("vcl.conf", List.of(VCL), Map.of());

    private VclConfigSchema() {
    }
}
