package io.sluice.session.daemon;

import io.sluice.core.config.ConfigException;
import io.sluice.core.config.StackConfig;
import io.sluice.core.phy.HostLink;
import io.sluice.core.stack.Stack;
import io.sluice.session.control.ControlClient;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import sun.misc.Signal;

/**
 * {@code bin/sluice stack [-c startup.conf]}: builds the stack a configuration describes (defaults without one),
 * starts its workers, its control socket and (with {@code session { use-app-socket-api }}) its attach socket, and
 * runs until SIGINT or SIGTERM, when it closes everything it made
 * (control socket, workers, interfaces, namespaces it created) and exits 0. The signals are caught
 * ({@code sun.misc.Signal}, the JDK's supported hook for them) rather than left to the JVM's shutdown, so a stop
 * an administrator asked for is a clean exit, not status 143.
 */
public final class StackDaemon {

    /**
     * Where the control socket is when {@code unix { cli-listen ... }} does not say: where {@code bin/sluice ctl}
     * looks by default (as VPP's is /run/vpp/cli.sock).
     */
    public static final Path DEFAULT_CLI_SOCKET = ControlClient.DEFAULT_SOCKET;
    /** How long shutdown may take before the JVM exits anyway. */
    static final long SHUTDOWN_SECONDS = 15;

    static final String USAGE = "usage: bin/sluice stack [-c startup.conf]";

    /**
     * The configuration without {@code -c}: one TAP interface whose Linux side is 198.18.0.1/24 in namespace
     * {@code sluice} (made if absent, removed at exit), the stack at 198.18.0.2/24, default threads and buffers,
     * the control socket where {@code bin/sluice ctl} looks. So {@code ip netns exec sluice ping 198.18.0.2} works
     * at once. Making a TAP needs root (CAP_NET_ADMIN) and /dev/net/tun.
     */
    public static final String DEFAULT_CONFIG = """
            unix { cli-listen /run/sluice/cli.sock }
            tap { host-if-name sluice0 host-ns sluice host-ip4-addr 198.18.0.1/24 ip4-addr 198.18.0.2/24 }
            """;

    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean stopping;
    /** The running stack, for a signal to wake its single-thread loop out of an epoll sleep. */
    private volatile Stack running;

    /** Runs the daemon as a program of its own (tests start it in a child JVM). */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the stack until stopped; returns the exit code: 0 after a clean stop, 1 on failure, 2 on bad usage. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Optional<Path> configFile = Optional.empty();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-c", "--config" -> {
                    if (i + 1 == args.length) {
                        err.println("sluice stack: " + args[i] + " needs a file");
                        err.println(USAGE);
                        return 2;
                    }
                    configFile = Optional.of(Path.of(args[++i]));
                }
                case "-h", "--help", "help" -> {
                    out.println(USAGE);
                    out.println("  -c FILE   startup.conf in VPP syntax (unix, cpu, buffers, session, tcp, tap);");
                    out.println("            without it: TAP sluice0, stack 198.18.0.2/24, Linux 198.18.0.1/24 in");
                    out.println("            namespace 'sluice'; control socket /run/sluice/cli.sock");
                    return 0;
                }
                default -> {
                    err.println("sluice stack: unexpected argument '" + args[i] + "'");
                    err.println(USAGE);
                    return 2;
                }
            }
        }
        StackConfig config;
        try {
            if (configFile.isPresent() && !Files.isReadable(configFile.get())) {
                err.println("sluice stack: cannot read " + configFile.get());
                return 2;
            }
            config = configFile.isPresent() ? StackConfig.load(configFile.get())
                    : StackConfig.parse("the default configuration", DEFAULT_CONFIG);
        } catch (ConfigException e) {
            err.println("sluice stack: " + e.getMessage());
            return 2;
        }
        config.warnings().forEach(w -> err.println("sluice stack: warning: " + w));
        return new StackDaemon().serve(config, out, err);
    }

    private int serve(StackConfig config, PrintStream out, PrintStream err) {
        StackHost host;
        try {
            host = StackHost.start(config);
        } catch (IOException | RuntimeException e) {
            err.println("sluice stack: " + e.getMessage());
            String reason = HostLink.tapUnavailableReason();
            if (!config.taps().isEmpty() && reason != null) {
                err.println("sluice stack: the configuration has tap sections, but " + reason);
            }
            return 1;
        }
        Stack stack = host.stack();
        Thread hook = Thread.ofPlatform().name("sluice-shutdown").unstarted(this::onShutdown);
        try {
            running = stack;
            // SIGINT and SIGTERM ask the main thread to stop, which cleans up and exits 0; the hook covers other
            // exits (System.exit elsewhere, SIGHUP) and waits for the same clean-up.
            Signal.handle(new Signal("INT"), signal -> requestStop());
            Signal.handle(new Signal("TERM"), signal -> requestStop());
            Runtime.getRuntime().addShutdownHook(hook);
            out.println(describe(stack, host.controlSocket(), host.attachSocket()));
            out.flush();
            if (stack.engine().config().singleThread()) {
                while (!stopping) {
                    stack.engine().runOnce();
                }
            } else {
                stopRequested.await();
            }
            return 0;
        } catch (RuntimeException e) {
            err.println("sluice stack: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } finally {
            host.close(problem -> err.println("sluice stack: " + problem));
            out.println("sluice stack: stopped");
            out.flush();
            stopped.countDown();
        }
    }

    private void requestStop() {
        stopping = true;
        stopRequested.countDown();
        Stack stack = running;
        if (stack != null && stack.engine().config().singleThread()) {
            stack.engine().wake(0); // the main thread may sleep in epoll; it must see the stop now
        }
    }

    /** The shutdown hook: asks the main thread to stop and waits (bounded) until it has cleaned up. */
    private void onShutdown() {
        requestStop();
        try {
            stopped.await(SHUTDOWN_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The start-up line: workers, interfaces with addresses, where the control and attach sockets are. */
    static String describe(Stack stack, Path socket, Optional<Path> attachSocket) {
        String interfaces = stack.interfaces().all().stream()
                .map(i -> i.name() + " " + StackControl.addresses(stack, i)).collect(Collectors.joining(", "));
        int workers = stack.engine().workerCount();
        return "sluice stack: " + (stack.engine().config().singleThread() ? "single-thread mode"
                : workers + (workers == 1 ? " worker" : " workers")) + "; interfaces: "
                + (interfaces.isEmpty() ? "none" : interfaces) + "; control socket " + socket
                + " (bin/sluice ctl -s " + socket + " show interface)"
                + attachSocket.map(path -> "; applications attach on " + path).orElse("");
    }
}
