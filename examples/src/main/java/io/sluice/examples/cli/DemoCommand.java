package io.sluice.examples.cli;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.sluice.comms.Sluice;
import io.sluice.core.config.StackConfig;
import io.sluice.core.config.VclConfig;
import io.sluice.core.phy.HostLink;
import io.sluice.examples.netty.HttpServer;
import io.sluice.examples.netty.NettyLoops;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code bin/sluice demo}: the stack embedded in this process with a TAP into a network namespace it makes (as root;
 * without root, cut-through only, and it says so), Netty's HTTP example served on Sluice, driven from the kernel side
 * with {@code curl} and from a Netty client on Sluice; it prints what happened, a few figures and the stack's own
 * counters ({@code ctl}), and removes everything it made. {@code --hold} keeps it running for {@code ctl} until
 * Ctrl-C.
 */
final class DemoCommand {

    static final String USAGE = "usage: bin/sluice demo [--requests N] [--hold]";
    /** The demo's /24 (198.18.0.0/15 is for benchmarking; tests use other /24s of it). */
    private static final String SUBNET = "198.18.22";
    private static final int PORT = HttpServer.DEFAULT_PORT;
    private static final int DEFAULT_REQUESTS = 5_000;
    private static final int WARM_UP_REQUESTS = 5_000;
    private static final int MAX_REQUESTS = 1_000_000;
    private static final long CURL_SECONDS = 10;
    private static final long REQUEST_SECONDS = 5;
    private static final long CLEANUP_SECONDS = 20;

    private DemoCommand() {}

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        int requests = DEFAULT_REQUESTS;
        boolean hold = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--hold" -> hold = true;
                case "--requests" -> {
                    if (i + 1 >= args.length) {
                        err.println("sluice demo: --requests needs a number\n" + USAGE);
                        return 2;
                    }
                    try {
                        requests = Integer.parseInt(args[++i]);
                    } catch (NumberFormatException e) {
                        requests = -1;
                    }
                    if (requests < 1 || requests > MAX_REQUESTS) {
                        err.println("sluice demo: --requests takes 1 to " + MAX_REQUESTS + ", not " + args[i]
                                + "\n" + USAGE);
                        return 2;
                    }
                }
                case "-h", "--help", "help" -> {
                    out.println(USAGE);
                    return 0;
                }
                default -> {
                    err.println("sluice demo: unknown argument '" + args[i] + "'\n" + USAGE);
                    return 2;
                }
            }
        }
        return new Demo(out, requests, hold).run();
    }

    /** One run: what it made, so that it can say it and take it down. */
    private static final class Demo {
        private final PrintStream out;
        private final int requests;
        private final boolean hold;
        private final String suffix = Long.toString(ProcessHandle.current().pid() % 100_000);
        private final String namespace = "sluicedemo" + suffix;
        private final String tapName = "sdemo" + suffix;
        private final String tapUnavailable = HostLink.tapUnavailableReason();
        private final boolean withTap = tapUnavailable == null;
        private int failures;
        /** Counted down once everything is taken down: a Ctrl-C during --hold waits for it before the JVM exits. */
        private final CountDownLatch cleanedUp = new CountDownLatch(1);

        Demo(PrintStream out, int requests, boolean hold) {
            this.out = out;
            this.requests = requests;
            this.hold = hold;
        }

        int run() throws Exception {
            Path dir = Files.createTempDirectory("sluice-demo");
            Path cliSocket = dir.resolve("cli.sock");
            try {
                step("starting the stack in this JVM" + (withTap
                        ? ": TAP " + tapName + " at " + SUBNET + ".2/24, its Linux side " + SUBNET
                                + ".1/24 in network namespace " + namespace + " (made now, removed at the end)"
                        : " without interfaces: " + tapUnavailable + ", so only cut-through (both ends on"
                                + " Sluice) is shown; run as root for the kernel side"));
                try (Sluice sluice = Sluice.embedded("demo", config(dir), VclConfig.defaults());
                        NettyLoops loops = NettyLoops.onSluice(sluice, 0)) {
                    EventLoopGroup boss = loops.group(1);
                    EventLoopGroup children = loops.group(1);
                    EventLoopGroup clients = loops.group(1);
                    Channel server = HttpServer.start(loops, boss, children, new InetSocketAddress("0.0.0.0", PORT));
                    step("Netty's HTTP example listens on Sluice, port " + PORT + " (GET / answers a greeting,"
                            + " POST /echo returns the body)");
                    if (withTap) {
                        fromTheKernel();
                    }
                    fromSluice(loops, clients, "127.0.0.1", "the stack's loopback: cut through, FIFO to FIFO");
                    step("the stack's counters (bin/sluice ctl -s " + cliSocket + " ...):");
                    ctl(cliSocket, "show", "interface");
                    ctl(cliSocket, "show", "tcp", "stats");
                    if (hold) {
                        holdUntilInterrupted(cliSocket);
                    }
                    server.close().sync();
                }
            } finally {
                deleteTree(dir);
            }
            reportCleanup(cliSocket);
            cleanedUp.countDown();
            out.println(failures == 0 ? "sluice demo: done" : "sluice demo: done, " + failures + " step(s) failed");
            return failures == 0 ? 0 : 1;
        }

        private StackConfig config(Path dir) {
            String tap = withTap ? "tap { host-if-name " + tapName + " host-ns " + namespace + " host-ip4-addr "
                    + SUBNET + ".1/24 ip4-addr " + SUBNET + ".2/24 }\n" : "";
            return StackConfig.parse("the demo's configuration", """
                    unix { cli-listen %s }
                    session { use-app-socket-api app-socket-api %s }
                    cpu { workers 1 }
                    buffers { buffers-per-numa 8192 }
                    %s""".formatted(dir.resolve("cli.sock"), dir.resolve("app.sock"), tap));
        }

        /** curl from the namespace: through the kernel's TCP, the TAP and the stack's TCP, to Netty on Sluice. */
        private void fromTheKernel() throws InterruptedException {
            if (!HostLink.onPath("curl")) {
                fail("curl is not installed (apt-get install curl): the kernel side is not shown");
                return;
            }
            String url = "http://" + SUBNET + ".2:" + PORT;
            step("from the kernel (ip netns exec " + namespace + " curl ...):");
            String format = "%{http_code} in %{time_total} s (connect %{time_connect} s)";
            String get = curl("-sS", "-o", "/dev/stdout", "-w", "\n" + format, url + "/");
            report("GET " + url + "/", get, HttpServer.GREETING.strip());
            String post = curl("-sS", "-o", "/dev/stdout", "-w", "\n" + format, "--data-binary",
                    "hello through the TAP", url + "/echo");
            report("POST " + url + "/echo", post, "hello through the TAP");
        }

        private String curl(String... arguments) throws InterruptedException {
            List<String> command = new ArrayList<>(List.of("curl", "--max-time", Long.toString(CURL_SECONDS)));
            command.addAll(Arrays.asList(arguments));
            try {
                Process p = new ProcessBuilder(HostLink.inNamespace(namespace, command.toArray(String[]::new)))
                        .redirectErrorStream(true).start();
                if (!p.waitFor(CURL_SECONDS + 5, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    return "curl did not finish";
                }
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                return "curl did not run: " + e.getMessage();
            }
        }

        private void report(String what, String curlOutput, String expectedBody) {
            String[] lines = curlOutput.split("\n");
            String status = lines[lines.length - 1];
            String body = String.join("\n", Arrays.copyOf(lines, lines.length - 1)).strip();
            boolean ok = status.startsWith("200 ") && body.equals(expectedBody);
            out.println("    " + what + " -> " + status + ", body \"" + abbreviate(body) + "\""
                    + (ok ? "" : "  FAILED"));
            if (!ok) {
                failures++;
            }
        }

        /** A Netty HTTP client on Sluice: keep-alive requests one after the other, latency of each. */
        private void fromSluice(NettyLoops loops, EventLoopGroup group, String host, String path) throws Exception {
            step("from a Netty client on Sluice to " + host + ":" + PORT + " (" + path + "), "
                    + Math.min(WARM_UP_REQUESTS, requests) + " keep-alive GETs to warm up, then " + requests
                    + " timed:");
            BlockingQueue<FullHttpResponse> responses = new LinkedBlockingQueue<>();
            Channel client;
            try {
                client = loops.client(group).handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 20),
                                new SimpleChannelInboundHandler<FullHttpResponse>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse r) {
                                        responses.add(r.retainedDuplicate());
                                    }
                                });
                    }
                }).connect(new InetSocketAddress(host, PORT)).sync().channel();
            } catch (Exception e) {
                fail("connect to " + host + ": " + e);
                return;
            }
            // The first requests run the code cold (interpreted, then compiled): they are not timed.
            int warmUp = Math.min(WARM_UP_REQUESTS, requests);
            long[] nanos = new long[requests];
            String wrong = null;
            long start = System.nanoTime();
            int done = -warmUp;
            for (; done < requests && wrong == null; done++) {
                if (done == 0) {
                    start = System.nanoTime();
                }
                FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/",
                        Unpooled.EMPTY_BUFFER);
                request.headers().set(HttpHeaderNames.HOST, host);
                HttpUtil.setKeepAlive(request, true);
                long sent = System.nanoTime();
                client.writeAndFlush(request);
                FullHttpResponse response = responses.poll(REQUEST_SECONDS, TimeUnit.SECONDS);
                if (response == null) {
                    wrong = "no answer within " + REQUEST_SECONDS + " s";
                    break;
                }
                if (done >= 0) {
                    nanos[done] = System.nanoTime() - sent;
                }
                String body = response.content().toString(StandardCharsets.UTF_8);
                if (response.status().code() != 200 || !body.equals(HttpServer.GREETING)) {
                    wrong = "answer " + response.status() + " \"" + abbreviate(body) + "\"";
                }
                response.release();
            }
            long elapsed = System.nanoTime() - start;
            client.close().sync();
            if (wrong != null) {
                fail("request " + (done + warmUp + 1) + ": " + wrong);
                return;
            }
            long[] sorted = nanos.clone();
            Arrays.sort(sorted);
            out.printf("    %d answers, all 200 with the greeting, on one connection: %.0f requests/s,"
                    + " latency p50 %.1f µs, p99 %.1f µs%n", requests, requests * 1e9 / elapsed,
                    sorted[requests / 2] / 1e3, sorted[Math.min(requests - 1, (int) (requests * 0.99))] / 1e3);
        }

        private void ctl(Path socket, String... command) {
            List<String> args = new ArrayList<>(List.of("-s", socket.toString()));
            args.addAll(Arrays.asList(command));
            out.println("  $ bin/sluice ctl " + String.join(" ", command));
            int code = CtlCommand.run(args.toArray(String[]::new), out, out, System::getenv);
            if (code != 0) {
                fail("ctl " + String.join(" ", command) + " exited " + code);
            }
        }

        private void holdUntilInterrupted(Path cliSocket) throws InterruptedException {
            step("holding (Ctrl-C ends it); meanwhile, from another terminal:");
            out.println("    bin/sluice ctl -s " + cliSocket + " show interface     (also: show tcp, show errors,"
                    + " show runtime, pcap trace ...)");
            if (withTap) {
                out.println("    ip netns exec " + namespace + " curl http://" + SUBNET + ".2:" + PORT + "/");
            }
            CountDownLatch stop = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                stop.countDown();
                try {
                    cleanedUp.await(CLEANUP_SECONDS, TimeUnit.SECONDS); // the JVM exits when the hooks have
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "sluice-demo-stop"));
            stop.await();
        }

        /** Says what is left of what the demo made (nothing, when all went well). */
        private void reportCleanup(Path cliSocket) {
            List<String> left = new ArrayList<>();
            if (withTap && HostLink.namespaceExists(namespace)) {
                left.add("namespace " + namespace);
            }
            if (Files.exists(cliSocket)) {
                left.add(cliSocket.toString());
            }
            if (left.isEmpty()) {
                step("cleaned up: the stack, " + (withTap ? "its TAP " + tapName + ", namespace " + namespace + ", "
                        : "") + "sockets and temporary files are gone");
            } else {
                fail("left behind: " + String.join(", ", left));
            }
        }

        private void step(String text) {
            out.println("sluice demo: " + text);
        }

        private void fail(String text) {
            failures++;
            out.println("sluice demo: FAILED: " + text);
        }

        private static String abbreviate(String s) {
            String oneLine = s.replace("\n", "\\n");
            return oneLine.length() <= 60 ? oneLine : oneLine.substring(0, 57) + "...";
        }

        private static void deleteTree(Path dir) throws IOException {
            try (Stream<Path> paths = Files.walk(dir)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
