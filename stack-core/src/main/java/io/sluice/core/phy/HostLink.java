package io.sluice.core.phy;

import io.sluice.core.sys.TunTap;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Linux side of a TAP interface, configured through iproute2's {@code ip}: moved into a network namespace,
 * given an MTU, an Ethernet address and an IPv4 address, and brought up. This runs once per interface at start (and
 * in tests), never on the data path, so a child process is simpler and clearer than speaking netlink, and it reports
 * errors in the words administrators know.
 *
 * <p>Every command runs with a time limit; a failure throws an {@link IOException} that names the command and
 * carries its output.
 */
public final class HostLink {

    /** How long one {@code ip} command may take. */
    static final long COMMAND_TIMEOUT_SECONDS = 10;

    private static final Path NETNS_DIR = Path.of("/run/netns");

    private HostLink() {
    }

    /**
     * Why TAP interfaces with a Linux side in a namespace cannot be made here, or null when they can: the clone
     * device, root (CAP_NET_ADMIN) and iproute2's {@code ip} are needed. For the daemon's error, benchmarks that
     * skip, and tests that are skipped with the reason.
     */
    public static String tapUnavailableReason() {
        if (!Files.exists(Path.of(TunTap.CLONE_DEVICE))) {
            return TunTap.CLONE_DEVICE + " is absent";
        }
        try {
            if ((int) Files.getAttribute(Path.of("/proc/self"), "unix:uid") != 0) {
                return "TAP interfaces and namespaces need root (CAP_NET_ADMIN)";
            }
        } catch (IOException | UnsupportedOperationException e) {
            return "cannot tell whether this process is root: " + e.getMessage();
        }
        return onPath("ip") ? null : "needs iproute2's ip to configure the Linux side";
    }

    /** Whether {@code program} is on the PATH, or in the sbin directories an administrator's PATH has. */
    public static boolean onPath(String program) {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
        dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
        return dirs.stream().anyMatch(dir -> !dir.isEmpty() && Files.isExecutable(Path.of(dir, program)));
    }

    /** Whether a namespace of that name exists (as {@code ip netns add} makes them). */
    public static boolean namespaceExists(String namespace) {
        return Files.exists(NETNS_DIR.resolve(namespace));
    }

    /** Creates a named network namespace. */
    public static void createNamespace(String namespace) throws IOException {
        run("ip", "netns", "add", namespace);
    }

    /** Deletes a named network namespace; interfaces in it are destroyed, processes in it keep running. */
    public static void deleteNamespace(String namespace) throws IOException {
        run("ip", "netns", "delete", namespace);
    }

    /**
     * Configures the Linux side of interface {@code name} and brings it up.
     *
     * @param namespace the namespace to move it into, or null to leave it where it is
     * @param ip4Prefix an address with prefix length such as {@code 198.18.0.1/24}, or null for none
     * @param mac an Ethernet address such as {@code 02:fe:00:00:00:01}, or null to keep the kernel's
     * @param mtu the MTU
     */
    public static void configure(String name, String namespace, String ip4Prefix, String mac, int mtu)
            throws IOException {
        if (namespace != null) {
            run("ip", "link", "set", "dev", name, "netns", namespace);
        }
        run(inNamespace(namespace, "ip", "link", "set", "dev", name, "mtu", Integer.toString(mtu)));
        if (mac != null) {
            run(inNamespace(namespace, "ip", "link", "set", "dev", name, "address", mac));
        }
        if (ip4Prefix != null) {
            run(inNamespace(namespace, "ip", "addr", "add", ip4Prefix, "dev", name));
        }
        run(inNamespace(namespace, "ip", "link", "set", "dev", name, "up"));
    }

    /** {@code command} prefixed to run in {@code namespace} ({@code ip netns exec}), or as it is for null. */
    public static String[] inNamespace(String namespace, String... command) {
        if (namespace == null) {
            return command;
        }
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        full.addAll(List.of(command));
        return full.toArray(new String[0]);
    }

    /**
     * Runs a command to completion within {@link #COMMAND_TIMEOUT_SECONDS}.
     *
     * @return its standard output and error, interleaved
     * @throws IOException naming the command and carrying its output if it cannot start, times out or fails
     */
    public static String run(String... command) throws IOException {
        String line = String.join(" ", command);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            process.getOutputStream().close();
            // Output of these commands is small; reading it before waiting cannot fill a pipe and block.
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new IOException("'" + line + "' did not finish within " + COMMAND_TIMEOUT_SECONDS + " s");
            }
            String text = new String(output, StandardCharsets.UTF_8).strip();
            if (process.exitValue() != 0) {
                throw new IOException("'" + line + "' failed with exit code " + process.exitValue()
                        + (text.isEmpty() ? "" : ": " + text));
            }
            return text;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running '" + line + "'", e);
        } finally {
            process.destroyForcibly();
        }
    }
}
