package io.sluice.examples.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.EventLoopGroup;
import io.sluice.core.config.ConfigException;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code bin/sluice run <example> [options]}: Netty programs that run unchanged on Sluice's transport, on Netty's
 * epoll and on NIO ({@code --transport}). On Sluice they attach to a running stack through {@code vcl.conf}, or run
 * one in this process with {@code --embedded}.
 */
public final class NettyExamples {

    /** An example: its usage, summary, the flags it takes beyond the transport's, and its program. */
    private record Example(String usage, String summary, int defaultPort, Set<String> flags, Program program) {}

    @FunctionalInterface
    private interface Program {
        int run(ExampleOptions options, PrintStream out, PrintStream err) throws Exception;
    }

    private static final Map<String, Example> EXAMPLES = new LinkedHashMap<>();

    static {
        EXAMPLES.put("echo-server", new Example("echo-server [--port N]",
                "a TCP echo server (port " + EchoServer.DEFAULT_PORT + ")", EchoServer.DEFAULT_PORT,
                Set.of("--port"), (o, out, err) -> serve("echo-server", o, out, err, EchoServer::start)));
        EXAMPLES.put("echo-client", new Example("echo-client --host H [--port N] [--size BYTES] [--count N]",
                "round trips to an echo server, one message at a time: rate, p50 and p99", EchoServer.DEFAULT_PORT,
                Set.of("--host", "--port", "--size", "--count"), NettyExamples::echoClient));
        EXAMPLES.put("http-server", new Example("http-server [--port N]",
                "HTTP/1.1 with keep-alive: GET / a greeting, POST /echo the body back (port "
                        + HttpServer.DEFAULT_PORT + ")", HttpServer.DEFAULT_PORT, Set.of("--port"),
                (o, out, err) -> serve("http-server", o, out, err, HttpServer::start)));
    }

    /** Time an echo-client run may take at most, whatever its count. */
    static final Duration CLIENT_LIMIT = Duration.ofMinutes(5);

    private NettyExamples() {}

    /**
     * Runs {@code run <example> [options]}: {@code args} are the words after {@code run}.
     *
     * @return the exit code: 0, 1 when the example failed, 2 for bad usage
     */
    public static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help") || args[0].equals("-h")) {
            printUsage(args.length == 0 ? err : out);
            return args.length == 0 ? 2 : 0;
        }
        Example example = EXAMPLES.get(args[0]);
        if (example == null) {
            err.println("sluice run: unknown example '" + args[0] + "'");
            printUsage(err);
            return 2;
        }
        ExampleOptions options;
        try {
            options = ExampleOptions.parse(Arrays.copyOfRange(args, 1, args.length), example.defaultPort(),
                    example.flags());
        } catch (IllegalArgumentException e) {
            err.println("sluice run " + args[0] + ": " + e.getMessage());
            printUsage(err);
            return 2;
        }
        if (options.help()) {
            printUsage(out);
            return 0;
        }
        try {
            return example.program().run(options, out, err);
        } catch (IllegalStateException | IOException | ChannelException | ConfigException e) {
            err.println("sluice run " + args[0] + ": " + e.getMessage());
            return 1;
        }
    }

    /** Prints the usage of {@code run}: the examples and the options they share. */
    public static void printUsage(PrintStream out) {
        out.println("usage: bin/sluice run <example> [options]");
        out.println();
        out.println("examples:");
        for (Example e : EXAMPLES.values()) {
            out.printf("  %-58s %s%n", e.usage(), e.summary());
        }
        out.println();
        out.println("options of every example:");
        out.print(ExampleOptions.TRANSPORT_USAGE);
    }

    @FunctionalInterface
    private interface Server {
        Channel start(NettyLoops loops, EventLoopGroup boss, EventLoopGroup children, InetSocketAddress address)
                throws InterruptedException;
    }

    /**
     * Serves until SIGINT or SIGTERM: a shutdown hook closes the server channel, which lets this thread close the
     * loops and the application (an embedded stack removes its TAP and namespace); the hook waits for that, so the
     * JVM does not exit halfway through the clean-up.
     */
    private static int serve(String name, ExampleOptions options, PrintStream out, PrintStream err, Server server)
            throws Exception {
        CountDownLatch cleanedUp = new CountDownLatch(1);
        try (NettyLoops loops = NettyLoops.open(options, "sluice-" + name)) {
            EventLoopGroup group = loops.group(Math.max(1, Runtime.getRuntime().availableProcessors()));
            Channel channel = server.start(loops, group, group, new InetSocketAddress(options.port()));
            Thread hook = Thread.ofPlatform().name(name + "-shutdown").unstarted(() -> {
                channel.close();
                try {
                    cleanedUp.await(15, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            Runtime.getRuntime().addShutdownHook(hook);
            out.println("sluice run " + name + ": listening on " + describe(loops, channel) + " until Ctrl-C");
            channel.closeFuture().sync();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // The JVM is shutting down: the hook is running and waits for cleanedUp.
            }
            out.println("sluice run " + name + ": stopped");
            return 0;
        } finally {
            cleanedUp.countDown();
        }
    }

    private static String describe(NettyLoops loops, Channel channel) {
        InetSocketAddress local = (InetSocketAddress) channel.localAddress();
        String where = local.getAddress().getHostAddress() + ":" + local.getPort();
        if (loops.sluice() == null) {
            return where + " (" + loops.transport().cliName() + ", kernel sockets)";
        }
        String stack = loops.sluice().embeddedStack()
                .map(host -> "embedded stack, addresses " + host.stack().fib().interfaceAddresses(0))
                .orElse("attached to the running stack");
        return where + " (sluice, " + stack + ")";
    }

    private static int echoClient(ExampleOptions options, PrintStream out, PrintStream err) throws Exception {
        try (NettyLoops loops = NettyLoops.open(options, "sluice-echo-client")) {
            EventLoopGroup group = loops.group(1);
            InetSocketAddress server = new InetSocketAddress(options.host(), options.port());
            EchoClient.RoundTrips r = EchoClient.roundTrips(loops, group, server, options.size(), options.count(),
                    CLIENT_LIMIT);
            out.printf(Locale.ROOT, "sluice run echo-client: %d round trips of %d bytes to %s on %s: %.0f rt/s,"
                    + " p50 %.1f us, p99 %.1f us%n", r.roundTrips(), options.size(), server,
                    loops.transport().cliName(), r.perSecond(), r.p50Nanos() / 1e3, r.p99Nanos() / 1e3);
            return 0;
        }
    }
}
