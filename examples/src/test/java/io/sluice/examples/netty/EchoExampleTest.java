package io.sluice.examples.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.sluice.comms.Sluice;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The echo server and client examples on Sluice (an embedded stack without interfaces: cut through on 127.0.0.1) and
 * on NIO over kernel loopback, and the {@code run} command's handling of its options.
 */
class EchoExampleTest {

    private static final Duration LIMIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void echoesOnSluiceCutThrough() throws Exception {
        try (Sluice sluice = EmbeddedSluice.start(dir, "echo-test");
                NettyLoops loops = NettyLoops.onSluice(sluice, 0)) {
            assertEchoes(loops);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void echoesOnNio() throws Exception {
        try (NettyLoops loops = NettyLoops.kernel(NettyTransport.NIO)) {
            assertEchoes(loops);
        }
    }

    /**
     * 2,000 round trips of 64 bytes, 20 of 200 KiB (each read back in many pieces, all checked against what was
     * sent), and half a second of 64 KiB messages streamed.
     */
    private static void assertEchoes(NettyLoops loops) throws Exception {
        EventLoopGroup server = loops.group(1);
        EventLoopGroup client = loops.group(1);
        Channel channel = EchoServer.start(loops, server, server, new InetSocketAddress("127.0.0.1", 0));
        InetSocketAddress address = (InetSocketAddress) channel.localAddress();

        EchoClient.RoundTrips small = EchoClient.roundTrips(loops, client, address, 64, 2_000, LIMIT);
        assertEquals(2_000, small.roundTrips(), "every 64-byte message came back");
        assertTrue(small.p50Nanos() > 0 && small.p99Nanos() >= small.p50Nanos(), small::toString);

        EchoClient.RoundTrips large = EchoClient.roundTrips(loops, client, address, 200 << 10, 20, LIMIT);
        assertEquals(20, large.roundTrips(), "every 200 KiB message came back whole");

        double bytesPerSecond = EchoClient.stream(loops, client, address, 64 << 10, 1 << 20, Duration.ofMillis(500));
        assertTrue(bytesPerSecond > 1e6, "streamed and checked at least 1 MB/s, got " + bytesPerSecond);
        channel.close().sync();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void theEchoClientCommandReportsItsRoundTrips() throws Exception {
        try (NettyLoops loops = NettyLoops.kernel(NettyTransport.NIO)) {
            EventLoopGroup group = loops.group(1);
            Channel channel = EchoServer.start(loops, group, group, new InetSocketAddress("127.0.0.1", 0));
            int port = ((InetSocketAddress) channel.localAddress()).getPort();
            Output out = run("echo-client", "--host", "127.0.0.1", "--port", Integer.toString(port), "--count", "300",
                    "--size", "100", "--transport", "nio");
            assertEquals(0, out.code, out.err);
            assertTrue(out.out.matches("(?s)sluice run echo-client: 300 round trips of 100 bytes to .* on nio:"
                    + " \\d+ rt/s, p50 [0-9.]+ us, p99 [0-9.]+ us\\R"), out.out);
        }
    }

    @Test
    void badUsageIsExplained() throws Exception {
        Output unknown = run("nope");
        assertEquals(2, unknown.code);
        assertTrue(unknown.err.contains("unknown example 'nope'") && unknown.err.contains("echo-server"),
                unknown.err);
        Output noHost = run("echo-client");
        assertEquals(2, noHost.code);
        assertTrue(noHost.err.contains("--host is needed"), noHost.err);
        Output embeddedNio = run("echo-server", "--transport", "nio", "--embedded");
        assertEquals(2, embeddedNio.code);
        assertTrue(embeddedNio.err.contains("--embedded and --busy-poll go with --transport sluice only"),
                embeddedNio.err);
        Output badTransport = run("http-server", "--transport", "dpdk");
        assertEquals(2, badTransport.code);
        assertTrue(badTransport.err.contains("--transport must be one of [sluice, epoll, nio], got 'dpdk'"),
                badTransport.err);
        Output configWithoutEmbedded = run("http-server", "-c", "x.conf");
        assertEquals(2, configWithoutEmbedded.code);
        assertTrue(configWithoutEmbedded.err.contains("add --embedded"), configWithoutEmbedded.err);
        Output serverTakesNoSize = run("echo-server", "--size", "10");
        assertEquals(2, serverTakesNoSize.code);
        assertTrue(serverTakesNoSize.err.contains("unknown option '--size'"), serverTakesNoSize.err);
    }

    /** With no stack at the socket vcl.conf names, the example says how to start one or to use --embedded. */
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void withNoStackToAttachToTheExampleSaysWhatToDo() throws Exception {
        Path vcl = dir.resolve("vcl.conf");
        Files.writeString(vcl, "vcl { app-socket-api " + dir.resolve("nobody.sock") + " }\n");
        String before = System.getProperty("sluice.vcl.config");
        System.setProperty("sluice.vcl.config", vcl.toString());
        try {
            Output out = run("echo-server", "--port", "7");
            assertEquals(1, out.code, out.out);
            String noStack = "no Sluice stack to attach to: nothing listens at " + dir.resolve("nobody.sock");
            assertTrue(out.err.contains(noStack) && out.err.contains("bin/sluice stack")
                    && out.err.contains("--embedded"), out.err);
        } finally {
            if (before == null) {
                System.clearProperty("sluice.vcl.config");
            } else {
                System.setProperty("sluice.vcl.config", before);
            }
        }
    }

    record Output(int code, String out, String err) {}

    static Output run(String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = NettyExamples.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Output(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
