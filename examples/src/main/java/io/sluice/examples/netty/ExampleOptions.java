package io.sluice.examples.netty;

import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * The options of the {@code bin/sluice run} examples, parsed strictly: each example names the flags it takes, and an
 * unknown flag, a missing value or a value out of range is an {@link IllegalArgumentException} whose message names it.
 *
 * @param transport which Netty transport the example runs on
 * @param embedded with {@link NettyTransport#SLUICE}: run the stack in this process instead of attaching to one
 * @param config with {@code embedded}: the stack's {@code startup.conf}, else {@code bin/sluice stack}'s default
 * @param busyPollMicros with {@link NettyTransport#SLUICE}: how long an idle loop polls before it sleeps
 * @param host the server a client connects to
 * @param port the port served or connected to
 * @param size bytes per echo message
 * @param count echo round trips a client makes
 * @param help whether {@code --help} was given
 */
public record ExampleOptions(NettyTransport transport, boolean embedded, Optional<Path> config, int busyPollMicros,
        String host, int port, int size, int count, boolean help) {

    /** The flags that choose and set up the transport, which every example takes. */
    static final Set<String> TRANSPORT_FLAGS = Set.of("--transport", "--embedded", "-c", "--busy-poll");
    /** Bytes of one echo message at most: the client keeps one in flight and checks it whole. */
    static final int MAX_SIZE = 16 << 20;
    /** Round trips one client run makes at most (its latencies are kept, 8 bytes each). */
    static final int MAX_COUNT = 10_000_000;

    static final String TRANSPORT_USAGE = """
              --transport T   sluice (default), epoll or nio
              --embedded      sluice: run the stack in this process (as bin/sluice stack; the TAP needs root)
              -c FILE         with --embedded: the stack's startup.conf instead of bin/sluice stack's default
              --busy-poll US  sluice: microseconds an idle event loop polls before it sleeps (default 0)
            """;

    public ExampleOptions {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port must be 0 to 65535, got " + port);
        }
        if (size < 1 || size > MAX_SIZE) {
            throw new IllegalArgumentException("--size must be 1 to " + MAX_SIZE + " bytes, got " + size);
        }
        if (count < 1 || count > MAX_COUNT) {
            throw new IllegalArgumentException("--count must be 1 to " + MAX_COUNT + ", got " + count);
        }
        if (busyPollMicros < 0 || busyPollMicros > 1_000_000) {
            throw new IllegalArgumentException("--busy-poll must be 0 to 1000000 microseconds, got " + busyPollMicros);
        }
        if (transport != NettyTransport.SLUICE && (embedded || busyPollMicros != 0)) {
            throw new IllegalArgumentException("--embedded and --busy-poll go with --transport sluice only");
        }
        if (config.isPresent() && !embedded) {
            throw new IllegalArgumentException("-c names the configuration of an embedded stack: add --embedded");
        }
    }

    /**
     * Parses the words after the example's name.
     *
     * @param args the words
     * @param defaultPort the example's port when {@code --port} is not given
     * @param flags the flags the example takes besides {@link #TRANSPORT_FLAGS} and {@code --help}
     * @return the options
     */
    public static ExampleOptions parse(String[] args, int defaultPort, Set<String> flags) {
        NettyTransport transport = NettyTransport.SLUICE;
        boolean embedded = false;
        Path config = null;
        int busyPoll = 0;
        String host = null;
        int port = defaultPort;
        int size = 64;
        int count = 10_000;
        boolean help = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.startsWith("-") && !arg.equals("-h") && !arg.equals("--help") && !flags.contains(arg)
                    && !TRANSPORT_FLAGS.contains(arg)) {
                throw new IllegalArgumentException("unknown option '" + arg + "'");
            }
            switch (arg) {
                case "-h", "--help" -> help = true;
                case "--transport" -> transport = NettyTransport.parse(value(args, i++));
                case "--embedded" -> embedded = true;
                case "-c" -> config = Path.of(value(args, i++));
                case "--busy-poll" -> busyPoll = number(args, i++);
                case "--host" -> host = value(args, i++);
                case "--port" -> port = number(args, i++);
                case "--size" -> size = number(args, i++);
                case "--count" -> count = number(args, i++);
                default -> throw new IllegalArgumentException("unexpected argument '" + arg + "'");
            }
        }
        if (flags.contains("--host") && host == null && !help) {
            throw new IllegalArgumentException("--host is needed: the server's address");
        }
        return new ExampleOptions(transport, embedded, Optional.ofNullable(config), busyPoll, host, port, size,
                count, help);
    }

    private static String value(String[] args, int flagIndex) {
        if (flagIndex + 1 >= args.length) {
            throw new IllegalArgumentException("option " + args[flagIndex] + " needs a value");
        }
        return args[flagIndex + 1];
    }

    private static int number(String[] args, int flagIndex) {
        String value = value(args, flagIndex);
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(args[flagIndex] + " wants a whole number, got '" + value + "'");
        }
    }
}
