package io.sluice.examples.udp;

import io.sluice.core.config.ConfigException;
import io.sluice.core.config.StackConfig;
import io.sluice.core.l4.UdpDatagram;
import io.sluice.core.l4.UdpSocket;
import io.sluice.core.stack.Stack;
import io.sluice.session.daemon.StackDaemon;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * {@code bin/sluice udp-echo [-c startup.conf] [--port N]}: an application of the stack's UDP sockets. It runs a
 * stack in this process (the daemon's default configuration unless {@code -c} names another), binds a
 * {@link UdpSocket} and sends every datagram back to its sender from its own thread, until SIGINT or SIGTERM.
 * Try it with {@code ip netns exec sluice nc -u 198.18.0.2 7}.
 *
 * <p>The socket's queues are where the application meets the workers: a worker copies each datagram into a slot
 * of the socket's receive queue; {@link UdpSocket#send} puts the answer on the send queue, which the socket's
 * worker empties on its next pass. Neither side blocks the other.
 */
public final class UdpEchoExample {

    static final String USAGE = "usage: bin/sluice udp-echo [-c startup.conf] [--port N]";
    static final int DEFAULT_PORT = 7;

    private UdpEchoExample() {}

    /** Runs the example; returns the exit code (0 after a stop, 1 on failure, 2 on bad usage). */
    public static int run(String[] args, PrintStream out, PrintStream err) throws InterruptedException {
        Path config = null;
        int port = DEFAULT_PORT;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "-c" -> config = Path.of(value(args, i++));
                    case "--port" -> port = Integer.parseInt(value(args, i++));
                    case "-h", "--help" -> {
                        out.println(USAGE);
                        return 0;
                    }
                    default -> throw new IllegalArgumentException("unexpected argument '" + args[i] + "'");
                }
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("--port must be 1 to 65535, got " + port);
            }
        } catch (IllegalArgumentException e) {
            err.println("sluice udp-echo: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        StackConfig stackConfig;
        try {
            stackConfig = config != null ? StackConfig.load(config)
                    : StackConfig.parse("the default configuration", StackDaemon.DEFAULT_CONFIG);
        } catch (ConfigException e) {
            err.println("sluice udp-echo: " + e.getMessage());
            return 2;
        }
        AtomicBoolean stop = new AtomicBoolean();
        Thread main = Thread.currentThread();
        Thread hook = new Thread(() -> {
            stop.set(true);
            main.interrupt();
        });
        Runtime.getRuntime().addShutdownHook(hook);
        try (Stack stack = Stack.create(stackConfig)) {
            stack.start();
            out.println("sluice udp-echo: echoing UDP port " + port + " on "
                    + stack.fib().interfaceAddresses(0) + " until stopped");
            long echoed = echo(stack, port, stop::get);
            out.println("sluice udp-echo: " + echoed + " datagrams echoed");
            return 0;
        } catch (IOException | RuntimeException e) {
            err.println("sluice udp-echo: " + e.getMessage());
            return 1;
        }
    }

    /**
     * Binds {@code port} on every address of {@code stack} and echoes datagrams until {@code stop} says so (it is
     * checked at least every 100 ms) or the thread is interrupted; returns how many were echoed.
     */
    public static long echo(Stack stack, int port, BooleanSupplier stop) {
        long echoed = 0;
        try (UdpSocket socket = stack.udp().bind(0, port)) {
            UdpDatagram datagram = new UdpDatagram(socket.maxPayload());
            while (!stop.getAsBoolean()) {
                if (!socket.receive(datagram, 100, TimeUnit.MILLISECONDS)) {
                    continue;
                }
                // A full send queue means the worker is behind: wait for it rather than drop the answer.
                while (!socket.send(datagram.remoteAddress(), datagram.remotePort(), datagram.payload(), 0,
                        datagram.length())) {
                    if (stop.getAsBoolean()) {
                        return echoed;
                    }
                    Thread.onSpinWait();
                }
                echoed++;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return echoed;
    }

    private static String value(String[] args, int i) {
        if (i + 1 >= args.length) {
            throw new IllegalArgumentException(args[i] + " needs a value");
        }
        return args[i + 1];
    }
}
