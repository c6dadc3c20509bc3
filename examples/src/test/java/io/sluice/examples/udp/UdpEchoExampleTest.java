package io.sluice.examples.udp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.core.config.StackConfig;
import io.sluice.core.phy.HostLink;
import io.sluice.core.stack.Stack;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The UDP echo example against the kernel: a Python client in a namespace of the test's own gets every answer. */
class UdpEchoExampleTest {

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void echoesEveryDatagramFromTheKernelSide() throws Exception {
        String reason = HostLink.tapUnavailableReason();
        assumeTrue(reason == null, reason);
        assumeTrue(HostLink.onPath("python3"), "needs python3 for the kernel-side UDP client");
        String suffix = Long.toString(ProcessHandle.current().pid() % 100_000);
        String namespace = "sleu" + suffix;
        StackConfig config = StackConfig.parse("test", """
                cpu { workers 1 }
                buffers { buffers-per-numa 4096 }
                tap { host-if-name slet%s host-ns %s host-ip4-addr 198.18.6.1/24 ip4-addr 198.18.6.2/24 }
                """.formatted(suffix, namespace));
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong echoed = new AtomicLong(-1);
        boolean namespaceLeftBehind;
        try {
            runAgainstTheKernel(config, namespace, stop, echoed);
            namespaceLeftBehind = HostLink.namespaceExists(namespace);
        } finally {
            if (HostLink.namespaceExists(namespace)) {
                HostLink.deleteNamespace(namespace);
            }
        }
        assertFalse(namespaceLeftBehind, "closing the stack removed the namespace it made");
    }

    private static void runAgainstTheKernel(StackConfig config, String namespace, AtomicBoolean stop,
            AtomicLong echoed) throws Exception {
        try (Stack stack = Stack.create(config)) {
            stack.start();
            Thread app = Thread.ofPlatform().start(() -> echoed.set(UdpEchoExample.echo(stack, 9007, stop::get)));
            String out = HostLink.run(HostLink.inNamespace(namespace, "python3", "-c", """
                    import socket
                    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                    s.settimeout(2)
                    ok = 0
                    for i in range(50):
                        data = b'x' * i + b'#%d' % i
                        s.sendto(data, ('198.18.6.2', 9007))
                        if s.recv(2048) == data:
                            ok += 1
                    print('ok', ok)
                    """));
            stop.set(true);
            app.join(5_000);
            assertFalse(app.isAlive(), "the echo loop stops within its 100 ms check");
            assertTrue(out.contains("ok 50"), out);
            assertEquals(50, echoed.get());
        }
    }

    @Test
    void aBadPortIsAUsageError() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = UdpEchoExample.run(new String[] {"--port", "70000"}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--port must be 1 to 65535, got 70000"));
    }
}
