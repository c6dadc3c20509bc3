package io.sluice.core.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class NativeAccessTest {

    @Test
    void availableInTheTestJvm() {
        assertTrue(NativeAccess.isAvailable(), NativeAccess.unavailableReason().orElse(""));
        assertEquals("--enable-native-access=ALL-UNNAMED", NativeAccess.enableNativeAccessFlag());
        NativeAccess.ensureAvailable();
    }

    @Test
    void knowsTheArchitecturesItHasLayoutsFor() {
        assertEquals(NativeAccess.Arch.X86_64, NativeAccess.archOf("amd64"));
        assertEquals(NativeAccess.Arch.AARCH64, NativeAccess.archOf("aarch64"));
        assertNull(NativeAccess.archOf("ppc64le"));
        assertNull(NativeAccess.platformProblem("Linux", "amd64"));
        String mac = NativeAccess.platformProblem("Mac OS X", "aarch64");
        assertTrue(mac.contains("need Linux") && mac.contains("Mac OS X"), mac);
        String power = NativeAccess.platformProblem("Linux", "ppc64le");
        assertTrue(power.contains("ppc64le"), power);
    }

    /**
     * A JVM that denies native access to the class path: every binding must fail with a message naming the flag,
     * each time it is called (not an ExceptionInInitializerError once and NoClassDefFoundError after).
     */
    @Test
    void aJvmWithoutNativeAccessGetsTheFlagInTheMessage() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process child = new ProcessBuilder(List.of(java, "--illegal-native-access=deny", "-cp",
                System.getProperty("java.class.path"), NativeAccessProbe.class.getName()))
                .redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the child JVM finished");
        assertEquals(0, child.exitValue(), output);
        assertTrue(output.contains("available=false"), output);
        String flag = "Start the JVM with --enable-native-access=ALL-UNNAMED";
        assertEquals(3, output.lines().filter(line -> line.contains(flag)).count(), output);
        assertTrue(output.contains("ensureAvailable: UnsupportedOperationException"), output);
        assertTrue(output.contains("eventfd 1: UnsupportedOperationException"), output);
        assertTrue(output.contains("eventfd 2: UnsupportedOperationException"), output);
    }
}
