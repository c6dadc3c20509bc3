package io.sluice.examples.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.EventLoopGroup;
import io.sluice.comms.Sluice;
import io.sluice.core.config.StackConfig;
import io.sluice.core.config.VclConfig;
import io.sluice.core.phy.HostLink;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP server example on Sluice for a kernel client: a stack embedded in the test with a TAP whose Linux side is
 * in a namespace the stack makes, and {@code curl} run there. Needs root, /dev/net/tun and curl; skipped otherwise.
 */
class HttpOverTapTest {

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void curlInANamespaceGetsTheGreetingAndTheEcho() throws Exception {
        String reason = HostLink.tapUnavailableReason();
        assumeTrue(reason == null, reason);
        assumeTrue(HostLink.onPath("curl"), "needs curl (Debian package curl) for the kernel-side client");
        String suffix = Long.toString(ProcessHandle.current().pid() % 100_000);
        String namespace = "slhc" + suffix;
        StackConfig config = NettyLoops.privateStack("test", dir, """
                tap { host-if-name slhc%s host-ns %s host-ip4-addr 198.18.20.1/24 ip4-addr 198.18.20.2/24 }
                """.formatted(suffix, namespace));
        // A body of 200 KiB in hex: many segments each way, and text curl passes through unchanged.
        byte[] random = new byte[100 << 10];
        ThreadLocalRandom.current().nextBytes(random);
        String body = HexFormat.of().formatHex(random);
        Path bodyFile = dir.resolve("body.txt");
        Files.writeString(bodyFile, body);
        boolean namespaceLeftBehind;
        try {
            try (Sluice sluice = Sluice.embedded("http-tap-test", config, VclConfig.defaults());
                    NettyLoops loops = NettyLoops.onSluice(sluice, 0)) {
                EventLoopGroup group = loops.group(1);
                HttpServer.start(loops, group, group, new InetSocketAddress(8080));
                String url = "http://198.18.20.2:8080";
                assertEquals(HttpServer.GREETING, HostLink.run(HostLink.inNamespace(namespace, "curl", "-sS",
                        "--max-time", "10", url + "/")).strip() + "\n");
                assertEquals(body, HostLink.run(HostLink.inNamespace(namespace, "curl", "-sS", "--max-time", "10",
                        "-H", "Content-Type: text/plain", "--data-binary", "@" + bodyFile, url + "/echo")));
                assertEquals("404", HostLink.run(HostLink.inNamespace(namespace, "curl", "-sS", "--max-time", "10",
                        "-o", "/dev/null", "-w", "%{http_code}", url + "/elsewhere")));
            }
            namespaceLeftBehind = HostLink.namespaceExists(namespace);
        } finally {
            if (HostLink.namespaceExists(namespace)) {
                HostLink.deleteNamespace(namespace);
            }
        }
        assertFalse(namespaceLeftBehind, "closing the stack removed the namespace it made");
    }
}
