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
