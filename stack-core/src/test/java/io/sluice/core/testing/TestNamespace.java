package io.sluice.core.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.core.phy.HostLink;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A network namespace a test creates for the kernel side of its interfaces, so the host's own routing is never
 * touched; closing it stops the processes the test started in it and deletes it (and the interfaces in it), whether
 * the test passed or failed. Names are unique per JVM and short enough to double as interface names.
 */
public final class TestNamespace implements AutoCloseable {

    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private final String name;
    private final List<Process> processes = new ArrayList<>();

    private TestNamespace(String name) {
        this.name = name;
    }

    /** Skips the calling test, saying why, unless TAP interfaces and namespaces can be made here. */
    public static void assumeAvailable() throws IOException {
        String reason = HostLink.tapUnavailableReason();
        assumeTrue(reason == null, reason);
    }

    /** Whether {@code program} is on the PATH (or in the sbin directories root's PATH has). */
    public static boolean onPath(String program) {
        return HostLink.onPath(program);
    }

    /** A name unique to this JVM, at most 15 characters: usable for a namespace and an interface alike. */
    public static String uniqueName(String prefix) {
        String name = prefix + ProcessHandle.current().pid() % 100_000 + "x" + SEQUENCE.incrementAndGet();
        if (name.length() > 15) {
            throw new IllegalArgumentException("name '" + name + "' is longer than an interface name may be");
        }
        return name;
    }

    /** Creates a namespace with a unique name starting with {@code prefix}. */
    public static TestNamespace create(String prefix) throws IOException {
        String name = uniqueName(prefix);
        HostLink.createNamespace(name);
        return new TestNamespace(name);
    }

    public String name() {
        return name;
    }

    /** Runs a command in the namespace to completion; throws with its output if it fails. */
    public String exec(String... command) throws IOException {
        return HostLink.run(HostLink.inNamespace(name, command));
    }

    /** Starts a command in the namespace; it is killed when the namespace closes. Output goes to a file. */
    public Process start(Path output, String... command) throws IOException {
        Process process = new ProcessBuilder(HostLink.inNamespace(name, command)).redirectErrorStream(true)
                .redirectOutput(output.toFile()).start();
        processes.add(process);
        return process;
    }

    @Override
    public void close() throws IOException {
        try {
            for (Process process : processes) {
                process.destroyForcibly();
                try {
                    process.waitFor(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        } finally {
            HostLink.deleteNamespace(name);
        }
    }
}
