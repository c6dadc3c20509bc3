package io.sluice.core.phy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.core.sys.TunTap;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What tests of a real TAP share: the assumptions they need (root, /dev/net/tun, iproute2), unique interface names,
 * and moving the kernel side of a TAP into a network namespace of its own addressed from 198.18.0.0/15, so the
 * host's routing is untouched. Commands run with a 10 s bound and fail the test with their output.
 */
public final class TapNamespace {

    /** The kernel side's address in the namespace, in 198.18.0.0/24. */
    public static final String KERNEL_ADDRESS = "198.18.0.1";

    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private TapNamespace() {
    }

    /** Skips the test, saying why, unless it runs as root with /dev/net/tun and ip. */
    public static void assumeTapAvailable() throws IOException {
        assumeTrue(Files.exists(Path.of(TunTap.CLONE_DEVICE)), TunTap.CLONE_DEVICE + " is absent");
        assumeTrue((int) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0,
                "creating TAP interfaces needs root (CAP_NET_ADMIN)");
        assumeTrue(onPath("ip"), "needs iproute2's ip to set up a namespace");
    }

    public static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return Files.isExecutable(Path.of("/usr/sbin", program)) || Files.isExecutable(Path.of("/sbin", program));
    }

    /** A name unique to this JVM and test, within IFNAMSIZ: "sld" + 5 digits of pid + sequence. */
    public static String uniqueName() {
        return "sld" + ProcessHandle.current().pid() % 100_000 + "x" + SEQUENCE.incrementAndGet();
    }

    /**
     * Creates namespace "sluice-" + {@code tapName} and moves the TAP's kernel side there, up, with MTU 1500 and
     * {@value #KERNEL_ADDRESS}/24. The caller deletes the namespace ({@code ip netns delete}) when done.
     *
     * @return the namespace's name
     */
    public static String moveKernelSideToNewNamespace(String tapName) throws IOException, InterruptedException {
        String namespace = "sluice-" + tapName;
        run("ip", "netns", "add", namespace);
        run("ip", "link", "set", tapName, "netns", namespace);
        run("ip", "-n", namespace, "link", "set", tapName, "mtu", "1500");
        run("ip", "-n", namespace, "addr", "add", KERNEL_ADDRESS + "/24", "dev", tapName);
        run("ip", "-n", namespace, "link", "set", tapName, "up");
        return namespace;
    }

    public static void run(String... command) throws IOException, InterruptedException {
        runForOutput(command);
    }

    public static String runForOutput(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            assertTrue(process.waitFor(10, TimeUnit.SECONDS), String.join(" ", command) + " timed out");
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, process.exitValue(), String.join(" ", command) + ": " + output);
            return output;
        } finally {
            process.destroyForcibly();
        }
    }
}
