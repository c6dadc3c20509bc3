package io.sluice.session.stress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.openjdk.jcstress.annotations.JCStressTest;

/**
 * Runs every JCStress test of this package in a separate JVM and fails if any of them observed a forbidden outcome
 * or broke. JCStress needs its own JVMs (it forks one per compilation mode and varies JIT flags), so it cannot run
 * inside the test JVM.
 *
 * <p>The length of the run is chosen with the system property {@value #MODE_PROPERTY}: {@code ci} (default, a
 * few minutes on two CPUs), a JCStress preset ({@code quick}, {@code default}, {@code tough}, {@code stress}) for a
 * longer run, or {@code skip}. See docs/testing.md.
 *
 * <p>JCStress 0.16 exits with 1 when a test fails, but with 0 when it ran nothing: no test matched, the annotation
 * processor did not run, or a test needs more CPUs than the machine has (a test needs one per actor). So besides
 * the exit code the verdict comes from its output: the summary, the final progress line, and a report page for
 * every test of this package.
 */
class JcstressOrderingTest {

    static final String MODE_PROPERTY = "sluice.jcstress.mode";
    static final String TIMEOUT_PROPERTY = "sluice.jcstress.timeoutMinutes";

    /** The CI mode: every compilation mode JCStress knows, one 100 ms iteration each. */
    private static final List<String> CI_OPTIONS = List.of("-m", "quick", "-iters", "1", "-time", "100");
    private static final long CI_TIMEOUT_MINUTES = 8;
    private static final long FULL_TIMEOUT_MINUTES = 240;

    private static final Pattern PROGRESS = Pattern.compile(
            "\\(Results: (\\d+) planned; (\\d+) passed, (\\d+) failed, (\\d+) soft errs, (\\d+) hard errs\\)");
    private static final Pattern REMAINING = Pattern.compile("All remaining tests: (\\d+) matching test results");
    private static final Pattern INTERESTING = Pattern.compile("Interesting tests: (\\d+) matching test results");

    @Test
    void sharedMemoryStructuresKeepTheirOrderingPromises() throws Exception {
        String mode = System.getProperty(MODE_PROPERTY, "ci");
        assumeFalse(mode.equals("skip"), MODE_PROPERTY + "=skip");
        assumeTrue(Runtime.getRuntime().availableProcessors() >= 2, "JCStress needs at least two CPUs");

        List<String> tests = stressTests();
        assertFalse(tests.isEmpty(), "no @JCStressTest classes found in " + packageName());

        Path workDir = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().resolve("target/jcstress");
        Path reportDir = workDir.resolve("results");
        Path log = workDir.resolve("jcstress-" + mode + ".log");
        deleteRecursively(reportDir);
        Files.createDirectories(reportDir);
        try (Stream<Path> blobs = Files.list(workDir)) { // raw results of earlier runs
            for (Path blob : blobs.filter(f -> f.getFileName().toString().startsWith("jcstress-results-")).toList()) {
                Files.delete(blob);
            }
        }

        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.add("-cp");
        command.add(testClassPath());
        command.add("org.openjdk.jcstress.Main");
        command.addAll(mode.equals("ci") ? CI_OPTIONS : List.of("-m", mode));
        command.addAll(List.of(
                "-c", "2", // two actors per test; also what a two-CPU CI machine has
                "-f", "1",
                "-t", "^" + Pattern.quote(packageName() + ".") + ".*",
                "-r", reportDir.toString(),
                "-jvmArgsPrepend", "--enable-native-access=ALL-UNNAMED"));

        long timeoutMinutes = Long.getLong(TIMEOUT_PROPERTY, mode.equals("ci") ? CI_TIMEOUT_MINUTES
                : FULL_TIMEOUT_MINUTES);
        Process process = new ProcessBuilder(command)
                .directory(workDir.toFile()) // the result blob (jcstress-results-*.bin.gz) lands in the cwd
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        if (!process.waitFor(timeoutMinutes, TimeUnit.MINUTES)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
            fail("JCStress did not finish in " + timeoutMinutes + " minutes (" + TIMEOUT_PROPERTY + "); log " + log
                    + ":\n" + tail(log));
        }

        String output = Files.readString(log, StandardCharsets.UTF_8);
        String context = "\nJCStress log " + log + ", report " + reportDir.resolve("index.html") + ":\n"
                + summary(output);
        assertTrue(output.contains("RUN RESULTS:"), "JCStress printed no results" + context);
        assertTrue(output.contains("Failed tests: No matches."), "forbidden outcomes observed" + context);
        assertTrue(output.contains("Error tests: No matches."), "tests broke" + context);
        assertEquals(0, process.exitValue(), "JCStress exit code" + context);

        Matcher progress = last(PROGRESS, output);
        assertTrue(progress != null, "no progress line" + context);
        long planned = Long.parseLong(progress.group(1));
        assertTrue(planned >= tests.size(), "JCStress planned " + planned + " runs for " + tests.size() + " tests"
                + context);
        assertEquals(planned, Long.parseLong(progress.group(2)), "runs passed of those planned" + context);
        assertEquals("0 failed, 0 soft errs, 0 hard errs",
                progress.group(3) + " failed, " + progress.group(4) + " soft errs, " + progress.group(5)
                        + " hard errs", context);

        long passed = count(REMAINING, output) + count(INTERESTING, output);
        assertEquals(tests.size(), passed, "tests that ran and passed, of " + tests + context);
        for (String test : tests) {
            assertTrue(Files.exists(reportDir.resolve(test + ".html")), "no report for " + test + context);
        }
    }

    private static String packageName() {
        return JcstressOrderingTest.class.getPackageName();
    }

    /** The JCStress tests compiled into this package, found by their annotation. */
    private static List<String> stressTests() throws IOException, URISyntaxException, ClassNotFoundException {
        Path dir = Path.of(JcstressOrderingTest.class.getResource("").toURI());
        List<String> names;
        try (Stream<Path> files = Files.list(dir)) {
            names = files.map(f -> f.getFileName().toString())
                    .filter(f -> f.endsWith(".class") && !f.contains("$"))
                    .map(f -> packageName() + "." + f.substring(0, f.length() - ".class".length()))
                    .sorted()
                    .toList();
        }
        List<String> tests = new ArrayList<>();
        for (String name : names) {
            Class<?> type = Class.forName(name, false, JcstressOrderingTest.class.getClassLoader());
            if (type.isAnnotationPresent(JCStressTest.class)) {
                tests.add(name);
            }
        }
        return tests;
    }

    /**
     * The classpath of this test. Surefire may start the test JVM from a manifest-only jar, leaving just that jar
     * in {@code java.class.path}; it then publishes the real classpath in {@code surefire.test.class.path}.
     */
    private static String testClassPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }

    private static Matcher last(Pattern pattern, String text) {
        Matcher matcher = pattern.matcher(text);
        Matcher found = null;
        while (matcher.find()) {
            found = pattern.matcher(matcher.group());
            found.matches();
        }
        return found;
    }

    private static long count(Pattern pattern, String text) {
        Matcher matcher = last(pattern, text);
        return matcher == null ? 0 : Long.parseLong(matcher.group(1));
    }

    /** The results section (the failed tests with their outcome tables), or the end of the output. */
    private static String summary(String output) {
        int results = output.lastIndexOf("RUN RESULTS:");
        List<String> lines = output.substring(Math.max(0, results)).lines().filter(l -> !l.isBlank()).toList();
        int from = results >= 0 ? 0 : Math.max(0, lines.size() - 120);
        return String.join("\n", lines.subList(from, Math.min(lines.size(), from + 120)));
    }

    private static String tail(Path log) throws IOException {
        if (!Files.exists(log)) {
            return "(no output)";
        }
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        int from = Math.max(0, lines.size() - 120);
        return String.join("\n", lines.subList(from, lines.size()));
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.delete(p);
            }
        }
    }
}
