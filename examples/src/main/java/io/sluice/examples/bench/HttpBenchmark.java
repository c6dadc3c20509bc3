package io.sluice.examples.bench;

import io.netty.channel.EventLoopGroup;
import io.sluice.comms.Sluice;
import io.sluice.core.config.VclConfig;
import io.sluice.core.phy.HostLink;
import io.sluice.examples.netty.HttpServer;
import io.sluice.examples.netty.NettyLoops;
import io.sluice.examples.netty.NettyTransport;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bench http}: {@code wrk} in a network namespace this benchmark makes, against the {@code run http-server}
 * example ({@code GET /}, keep-alive, one event loop) in this process.
 * <ul>
 *   <li>{@code sluice}: the server on the Sluice transport, on a stack embedded here (one worker) whose TAP's Linux
 *       side is in wrk's namespace: 198.18.20.1 (wrk) to 198.18.20.2 (the stack);</li>
 *   <li>{@code epoll}: the same server on Netty's epoll transport in this namespace, reached from wrk's namespace
 *       through a veth pair: 198.18.21.2 (wrk) to 198.18.21.1 (the server).</li>
 * </ul>
 * wrk runs one thread with {@value #CONNECTIONS} connections, in whole seconds per round. Needs root, /dev/net/tun,
 * iproute2 and wrk; without them it says why and measures nothing. Namespaces, interfaces and wrk processes are
 * removed on every way out, including SIGINT (a shutdown hook).
 */
public final class HttpBenchmark implements Benchmark {

    static final int CONNECTIONS = 16;
    private static final int PORT = 8080;
    private static final Pattern REQUESTS = Pattern.compile("Requests/sec:\\s*([0-9.]+)");
    private static final Pattern P99 = Pattern.compile("\\n\\s*99%\\s+([0-9.]+)(us|ms|s)\\b");
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");
    private static final Pattern SOCKET_ERRORS = Pattern.compile(
            "Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");

    @Override
    public String name() {
        return "http";
    }

    @Override
    public String summary() {
        return "wrk from a namespace: Netty HTTP server on Sluice through a TAP vs on epoll through a veth pair";
    }

    @Override
    public int run(BenchOptions options, PrintStream out) throws Exception {
        String missing = HostLink.tapUnavailableReason();
        if (missing == null && !HostLink.onPath("wrk")) {
            missing = "needs wrk (Debian package wrk)";
        }
        if (missing != null) {
            out.println("bench http: skipped: " + missing);
            return 0;
        }
        int seconds = (int) Math.max(1, Math.round(options.roundSeconds()));
        // Three times the usual warm-up: until C2 has compiled the stack's TCP path, Sluice's first seconds under wrk
        // run at half their later rate (59k, 109k, 128k req/s in three 2 s rounds after 1 s of warm-up).
        int warmup = (int) Math.ceil(3 * options.warmupSeconds());
        out.printf(Locale.ROOT, "bench http: %d rounds of %d s per contender; wrk -t1 -c%d GET / (keep-alive);"
                + " one server event loop; sluice: one stack worker, TAP; epoll: veth pair; %d s of warm-up each%n",
                options.rounds(), seconds, CONNECTIONS, warmup);
        String suffix = Long.toString(ProcessHandle.current().pid() % 100_000);
        List<Server> servers = new CopyOnWriteArrayList<>();
        // Ctrl-C during a run: the hook removes what was made; the normal way out does it in finally.
        Thread hook = Thread.ofPlatform().name("bench-http-cleanup").unstarted(() -> closeAll(servers));
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            servers.add(new SluiceTap(suffix));
            servers.add(new EpollVeth(suffix));
            double[][] rate = new double[2][options.rounds()];
            double[][] p99 = new double[2][options.rounds()];
            for (Server s : servers) {
                if (warmup > 0) {
                    s.wrk(warmup);
                }
            }
            for (int r = 0; r < options.rounds(); r++) {
                StringBuilder line = new StringBuilder("round " + (r + 1) + ": ");
                for (int i = 0; i < servers.size(); i++) {
                    Wrk w = servers.get(i).wrk(seconds);
                    rate[i][r] = w.requestsPerSecond();
                    p99[i][r] = w.p99Millis();
                    line.append(String.format(Locale.ROOT, "%s%s %.0f req/s (p99 %.2f ms)", i == 0 ? "" : ", ",
                            servers.get(i).name(), w.requestsPerSecond(), w.p99Millis()));
                }
                out.println(line);
            }
            double x = Rounds.median(rate[0]);
            double y = Rounds.median(rate[1]);
            out.printf(Locale.ROOT, "median: sluice %.0f req/s, p99 %.2f ms; epoll %.0f req/s, p99 %.2f ms%n", x,
                    Rounds.median(p99[0]), y, Rounds.median(p99[1]));
            out.printf(Locale.ROOT, "bench http: sluice %.0f req/s, epoll %.0f req/s, ratio %.2f%n", x, y, x / y);
            return 0;
        } finally {
            closeAll(servers);
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // Shutting down: the hook is running closeAll too, which is safe to run twice.
            }
        }
    }

    private static void closeAll(List<Server> servers) {
        for (Server s : List.copyOf(servers)) {
            try {
                s.close();
            } catch (Exception e) {
                System.err.println("bench http: cleaning up " + s.name() + ": " + e.getMessage());
            }
        }
    }

    /** What one wrk run reported. */
    record Wrk(double requestsPerSecond, double p99Millis) {}

    /**
     * Runs wrk in {@code namespace} for {@code seconds} against {@code url}; bounded: killed 20 s after its time.
     * {@code started} is told the process, so that a clean-up on another thread can kill it.
     *
     * @throws IOException when wrk fails, saw errors, or got anything but 2xx answers
     */
    static Wrk wrk(String namespace, String url, int seconds, Consumer<Process> started)
            throws IOException, InterruptedException {
        Path output = Files.createTempFile("sluice-wrk", ".txt");
        Process process = null;
        try {
            process = new ProcessBuilder(HostLink.inNamespace(namespace, "wrk", "-t1", "-c" + CONNECTIONS,
                    "-d" + seconds + "s", "--timeout", "2s", "--latency", url)).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).start();
            started.accept(process);
            if (!process.waitFor(seconds + 20L, TimeUnit.SECONDS)) {
                throw new IOException("wrk did not end within " + (seconds + 20) + " s");
            }
            String text = Files.readString(output, StandardCharsets.UTF_8);
            Matcher requests = REQUESTS.matcher(text);
            Matcher p99 = P99.matcher(text);
            if (process.exitValue() != 0 || !requests.find() || !p99.find()) {
                throw new IOException("wrk against " + url + " exited " + process.exitValue() + ":\n" + text);
            }
            Matcher non2xx = NON_2XX.matcher(text);
            if (non2xx.find()) {
                throw new IOException("the server answered " + non2xx.group(1) + " requests with an error:\n" + text);
            }
            Matcher errors = SOCKET_ERRORS.matcher(text);
            if (errors.find() && !(errors.group(1) + errors.group(2) + errors.group(3) + errors.group(4))
                    .equals("0000")) {
                throw new IOException("wrk saw socket errors against " + url + ":\n" + text);
            }
            double scale = switch (p99.group(2)) {
                case "us" -> 1e-3;
                case "ms" -> 1;
                default -> 1e3;
            };
            return new Wrk(Double.parseDouble(requests.group(1)), Double.parseDouble(p99.group(1)) * scale);
        } finally {
            if (process != null) {
                process.destroyForcibly();
            }
            Files.deleteIfExists(output);
        }
    }

    /**
     * An HTTP server wrk reaches from a namespace. {@link #close} may run twice, and from the shutdown hook's thread;
     * it runs {@link #release} once.
     */
    private abstract static class Server implements AutoCloseable {
        private final String name;
        final String namespace;
        private final String url;
        /** The wrk process of the current run, for the shutdown hook to kill. */
        private volatile Process wrk;
        private boolean closed;

        Server(String name, String namespace, String url) {
            this.name = name;
            this.namespace = namespace;
            this.url = url;
        }

        String name() {
            return name;
        }

        Wrk wrk(int seconds) throws Exception {
            return HttpBenchmark.wrk(namespace, url, seconds, process -> wrk = process);
        }

        /** Stops the server and removes what it made. */
        abstract void release() throws IOException;

        @Override
        public final synchronized void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            Process running = wrk;
            if (running != null) {
                running.destroyForcibly();
            }
            try {
                release();
            } finally {
                if (HostLink.namespaceExists(namespace)) {
                    HostLink.deleteNamespace(namespace);
                }
            }
        }
    }

    /** The server on Sluice: an embedded stack with a TAP whose Linux side the stack moves into wrk's namespace. */
    private static final class SluiceTap extends Server {
        private final Path dir;
        private final Sluice sluice;
        private final NettyLoops loops;

        SluiceTap(String suffix) throws Exception {
            super("sluice", "slhs" + suffix, "http://198.18.20.2:" + PORT + "/");
            dir = Files.createTempDirectory("sluice-bench-http");
            try {
                sluice = Sluice.embedded("bench-http", NettyLoops.privateStack("bench http", dir, """
                        tap { host-if-name slht%s host-ns %s host-ip4-addr 198.18.20.1/24 ip4-addr 198.18.20.2/24 }
                        """.formatted(suffix, namespace)), VclConfig.defaults());
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(dir);
                throw e;
            }
            loops = NettyLoops.onSluice(sluice, 0);
            try {
                EventLoopGroup group = loops.group(1);
                HttpServer.start(loops, group, group, new InetSocketAddress(PORT));
            } catch (Exception e) {
                close();
                throw e;
            }
        }

        @Override
        void release() throws IOException {
            try {
                loops.close();
                sluice.close(); // stops the stack, which removes its TAP and the namespace it made
            } finally {
                Files.deleteIfExists(dir.resolve("app.sock"));
                Files.deleteIfExists(dir.resolve("cli.sock"));
                Files.deleteIfExists(dir);
            }
        }
    }

    /** The server on epoll in this namespace; wrk's namespace holds the other end of a veth pair. */
    private static final class EpollVeth extends Server {
        private final String hostEnd;
        private final NettyLoops loops;

        EpollVeth(String suffix) throws Exception {
            super("epoll", "slhe" + suffix, "http://198.18.21.1:" + PORT + "/");
            hostEnd = "slhv" + suffix;
            String peerEnd = "slhw" + suffix;
            HostLink.createNamespace(namespace);
            loops = NettyLoops.kernel(NettyTransport.EPOLL);
            try {
                HostLink.run("ip", "link", "add", hostEnd, "type", "veth", "peer", "name", peerEnd, "netns",
                        namespace);
                HostLink.run("ip", "addr", "add", "198.18.21.1/24", "dev", hostEnd);
                HostLink.run("ip", "link", "set", hostEnd, "up");
                HostLink.run("ip", "-n", namespace, "addr", "add", "198.18.21.2/24", "dev", peerEnd);
                HostLink.run("ip", "-n", namespace, "link", "set", peerEnd, "up");
                HostLink.run("ip", "-n", namespace, "link", "set", "lo", "up");
                EventLoopGroup group = loops.group(1);
                HttpServer.start(loops, group, group, new InetSocketAddress("198.18.21.1", PORT));
            } catch (Exception e) {
                close();
                throw e;
            }
        }

        @Override
        void release() throws IOException {
            loops.close();
            // Deleting the namespace destroys the peer end and with it the pair; a host end that outlived it goes too.
            HostLink.deleteNamespace(namespace);
            if (Files.exists(Path.of("/sys/class/net", hostEnd))) {
                HostLink.run("ip", "link", "delete", hostEnd);
            }
        }
    }
}
