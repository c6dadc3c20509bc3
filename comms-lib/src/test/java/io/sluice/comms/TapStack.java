package io.sluice.comms;

import io.sluice.core.config.StackConfig;
import io.sluice.core.config.VclConfig;
import io.sluice.core.phy.HostLink;
import io.sluice.core.wire.Ip4Address;
import java.nio.file.Path;
import java.util.List;

/**
 * An embedded stack for tests, with a TAP whose Linux side is in a namespace the stack makes (and removes when it
 * stops): {@code <subnet>.2} is the stack's address (connections to it are local, cut through), {@code <subnet>.1}
 * the kernel's in the namespace.
 *
 * @param sluice the application attached to the embedded stack
 * @param namespace the namespace holding the kernel side
 * @param stackAddress the stack's address
 * @param kernelAddress the kernel peer's address
 */
public record TapStack(Sluice sluice, String namespace, int stackAddress, int kernelAddress) implements AutoCloseable {

    /**
     * {@link #start}, or skips the calling test (an assumption that fails) where a TAP stack cannot run.
     */
    public static TapStack startOrSkip(String name, Path dir, String subnet, String prefix) throws SluiceException {
        String reason = unavailableReason();
        org.junit.jupiter.api.Assumptions.assumeTrue(reason == null, reason);
        return start(name, dir, subnet, prefix);
    }

    /** @return why a TAP stack cannot run here, or null when it can (tests skip with this reason) */
    public static String unavailableReason() {
        return HostLink.tapUnavailableReason();
    }

    /**
     * Starts the stack and attaches {@code name} to it.
     *
     * @param subnet the first three bytes of a /24 in 198.18.0.0/15 that no other test uses, e.g. "198.18.9"
     * @param prefix a short prefix for the interface and namespace names (a pid suffix keeps runs apart)
     */
    public static TapStack start(String name, Path dir, String subnet, String prefix) throws SluiceException {
        String suffix = Long.toString(ProcessHandle.current().pid() % 100_000);
        String namespace = prefix + "n" + suffix;
        Sluice sluice = Sluice.embedded(name, StackConfig.parse("embedded", """
                unix { cli-listen %s }
                session { use-app-socket-api app-socket-api %s }
                cpu { workers 1 }
                buffers { buffers-per-numa 4096 }
                tap { host-if-name %st%s host-ns %s host-ip4-addr %s.1/24 ip4-addr %s.2/24 }
                """.formatted(dir.resolve("cli.sock"), dir.resolve("app.sock"), prefix, suffix, namespace, subnet,
                subnet)), VclConfig.defaults());
        return new TapStack(sluice, namespace, Ip4Address.parse(subnet + ".2").bits(),
                Ip4Address.parse(subnet + ".1").bits());
    }

    /** @return {@code command} as it runs in the kernel peer's namespace */
    public List<String> inNamespace(String... command) {
        return List.of(HostLink.inNamespace(namespace, command));
    }

    /**
     * Starts a kernel TCP echo server (Python) on the kernel side's {@code port}, for one connection, and waits until
     * it listens. The caller destroys the process.
     */
    public Process startKernelEcho(int port) throws java.io.IOException {
        String echo = "import socket\n"
                + "l=socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
                + "l.bind(('" + Ip4Address.format(kernelAddress) + "'," + port + ")); l.listen(1)\n"
                + "print('ready', flush=True)\n"
                + "c,_=l.accept(); c.settimeout(20)\n"
                + "while True:\n"
                + "  b=c.recv(65536)\n"
                + "  if not b: break\n"
                + "  c.sendall(b)\n";
        Process process = new ProcessBuilder(inNamespace("python3", "-c", echo)).start();
        String line = new java.io.BufferedReader(new java.io.InputStreamReader(process.getInputStream())).readLine();
        if (!"ready".equals(line)) {
            process.destroyForcibly();
            throw new java.io.IOException("the kernel echo server on port " + port + " did not start: " + line);
        }
        return process;
    }

    /** @return a configuration that attaches another application to this stack */
    public VclConfig peerConfig() {
        return VclConfig.parse("peer", "vcl {\n  app-socket-api "
                + sluice.embeddedStack().orElseThrow().attachSocket().orElseThrow() + "\n}\n");
    }

    @Override
    public void close() {
        sluice.close();
    }
}
