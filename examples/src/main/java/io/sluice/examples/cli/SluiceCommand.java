package io.sluice.examples.cli;

import io.sluice.examples.bench.Benchmark;
import io.sluice.examples.bench.Benchmarks;
import io.sluice.examples.netty.NettyExamples;
import io.sluice.examples.udp.UdpEchoExample;
import io.sluice.session.daemon.StackDaemon;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code bin/sluice} command line: one table of subcommands, each a small program with its own
 * {@code main}-style entry point. The launcher script builds the project and then calls {@link #main}.
 */
public final class SluiceCommand {

    /** A subcommand: its usage line, a one-line summary and the code that runs it. */
    record Subcommand(String usage, String summary, Runner runner) {}

    @FunctionalInterface
    interface Runner {
        /** Runs the subcommand with the arguments after its name; returns the process exit code. */
        int run(String[] args) throws Exception;
    }

    private static final Map<String, Subcommand> SUBCOMMANDS = new LinkedHashMap<>();

    static {
        SUBCOMMANDS.put("help", new Subcommand("help", "list the subcommands", args -> {
            printHelp(System.out);
            return 0;
        }));
        SUBCOMMANDS.put("bench", new Subcommand("bench <name> [options]",
                "benchmark programs: " + String.join(", ", Benchmarks.all().stream().map(Benchmark::name).toList())
                        + " (bench help for more)",
                args -> Benchmarks.command(args, System.out, System.err)));
        SUBCOMMANDS.put("demo", new Subcommand("demo [--requests N] [--hold]",
                "the tour: embedded stack with a TAP into a namespace, HTTP on Sluice through Netty, curl and a Sluice"
                        + " client, figures and counters; cleans up (without root: cut-through only)",
                args -> DemoCommand.run(args, System.out, System.err)));
        SUBCOMMANDS.put("stack", new Subcommand("stack [-c startup.conf]",
                "run the stack (TAP interfaces, workers, control socket) until SIGINT/SIGTERM",
                args -> StackDaemon.run(args, System.out, System.err)));
        SUBCOMMANDS.put("udp-echo", new Subcommand("udp-echo [-c conf] [--port N]",
                "example: a stack in this process echoing UDP through its socket API (needs root for the TAP)",
                args -> UdpEchoExample.run(args, System.out, System.err)));
        SUBCOMMANDS.put("run", new Subcommand("run <example> [options]",
                "Netty examples on Sluice, epoll or NIO: echo-server, echo-client, http-server (run help for more)",
                args -> NettyExamples.run(args, System.out, System.err)));
        SUBCOMMANDS.put("ctl", new Subcommand("ctl [-s SOCK] [--json] CMD",
                "ask a running stack: show interface, show runtime, ... (ctl help for the list)", CtlCommand::run));
        SUBCOMMANDS.put("jmh", new Subcommand("jmh [JMH args...]",
                "JMH microbenchmarks (io.sluice.examples.jmh), e.g. jmh -prof gc ByteFifo", JmhCommand::run));
    }

    private SluiceCommand() {}

    public static void main(String[] args) throws Exception {
        String name = args.length == 0 ? "help" : args[0];
        Subcommand subcommand = SUBCOMMANDS.get(name);
        if (subcommand == null) {
            System.err.println("sluice: unknown subcommand '" + name + "'");
            printHelp(System.err);
            System.exit(2);
            return;
        }
        int code = subcommand.runner().run(Arrays.copyOfRange(args, Math.min(1, args.length), args.length));
        System.exit(code);
    }

    static void printHelp(PrintStream out) {
        out.println("usage: bin/sluice <subcommand> [arguments]");
        out.println();
        out.println("subcommands:");
        out.printf("  %-28s %s%n", "test [mvn args]", "build and run every test (mvn verify)");
        out.printf("  %-28s %s%n", "build", "build everything, tests skipped");
        for (Subcommand s : SUBCOMMANDS.values()) {
            out.printf("  %-28s %s%n", s.usage(), s.summary());
        }
    }
}
