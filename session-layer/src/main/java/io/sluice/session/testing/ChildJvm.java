package io.sluice.session.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A second JVM running a program of the test classpath (a cross-process peer, the stack daemon), on the same JDK,
 * its output in a log file. Closing it kills the process if it is still running, so a failed test leaves nothing
 * behind. In the main sources so that the tests of the modules above the session layer (comms-lib's daemon test)
 * start their daemons and peers the same way.
 */
public final class ChildJvm implements AutoCloseable {

    private final Process process;
    private final Path log;

    private ChildJvm(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    public static ChildJvm start(Class<?> mainClass, Path log, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow());
        command.add("--enable-native-access=ALL-UNNAMED");
        command.add("-Xmx256m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new ChildJvm(process, log);
    }

    /** Asks the child to stop as an administrator would: SIGTERM. */
    public void terminate() {
        process.destroy();
    }

    /** The child's output so far. */
    public String log() throws IOException {
        return Files.readString(log);
    }

    /** The child's process id (to look at its /proc entries). */
    public long pid() {
        return process.pid();
    }

    /** Kills the child at once (SIGKILL): no shutdown hook, no clean-up of its own. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Waits until the child's output contains {@code text}, polling its log.
     *
     * @throws AssertionError with the log's tail when the text does not come within {@code seconds}, or the child
     *     exits without printing it
     */
    public void awaitOutput(String text, long seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!outputContains(text)) {
            boolean exited = !process.isAlive();
            // Read once more after seeing it exited: it may have printed the text just before.
            if ((exited && !outputContains(text)) || System.nanoTime() > deadline) {
                throw new AssertionError("child " + process.pid() + ": no '" + text + "' in its output "
                        + (exited ? "(it exited with " + process.exitValue() + ")" : "within " + seconds + " s")
                        + "\n" + logTail());
            }
            Thread.sleep(50);
        }
    }

    private boolean outputContains(String text) {
        try {
            return Files.readString(log).contains(text);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Stops the child as an administrator would (SIGTERM), waiting up to {@code seconds}, and kills it if it is still
     * running then: for the clean-up after a test, failed or not. Does nothing to a child that already exited.
     *
     * @throws AssertionError with the log's tail when SIGTERM did not stop it in time (it is killed all the same)
     */
    public void stop(long seconds) throws InterruptedException {
        try {
            if (process.isAlive()) {
                terminate();
                awaitExit(seconds, TimeUnit.SECONDS);
            }
        } finally {
            close();
        }
    }

    /** Waits for the child to exit; returns its exit code, or fails with its log when it does not exit in time. */
    public int awaitExit(long timeout, TimeUnit unit) throws InterruptedException {
        if (!process.waitFor(timeout, unit)) {
            throw new AssertionError("child " + process.pid() + " did not exit in " + timeout + " " + unit + "\n"
                    + logTail());
        }
        return process.exitValue();
    }

    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
