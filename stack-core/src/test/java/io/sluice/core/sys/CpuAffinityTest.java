package io.sluice.core.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class CpuAffinityTest {

    @Test
    void pinsTheCallingThreadAndRestoresIt() throws Exception {
        BitSet saved = CpuAffinity.get();
        assertFalse(saved.isEmpty());
        int cpu = saved.nextSetBit(0);
        try {
            CpuAffinity.pin(cpu);
            BitSet pinned = CpuAffinity.get();
            assertEquals(1, pinned.cardinality());
            assertTrue(pinned.get(cpu));
            assertEquals(String.valueOf(cpu), cpusAllowedList(), "the kernel agrees (/proc/thread-self/status)");
        } finally {
            CpuAffinity.set(saved);
        }
        assertEquals(saved, CpuAffinity.get());
    }

    @Test
    void affinityIsPerThread() throws Exception {
        BitSet mine = CpuAffinity.get();
        AtomicReference<BitSet> other = new AtomicReference<>();
        Thread pinned = Thread.ofPlatform().start(() -> {
            try {
                CpuAffinity.pin(mine.nextSetBit(0));
                other.set(CpuAffinity.get());
            } catch (SyscallException e) {
                throw new AssertionError(e);
            }
        });
        pinned.join();
        assertEquals(1, other.get().cardinality());
        assertEquals(mine, CpuAffinity.get(), "pinning another thread left this one alone");
    }

    @Test
    void cpuOutOfRangeIsAClearError() {
        int count = CpuAffinity.cpuCount();
        assertTrue(count >= 1);
        IllegalArgumentException high = assertThrows(IllegalArgumentException.class, () -> CpuAffinity.pin(count));
        assertTrue(high.getMessage().contains("CPU " + count) && high.getMessage().contains(count + " CPUs"),
                high.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CpuAffinity.pin(-1));
        assertThrows(IllegalArgumentException.class, () -> CpuAffinity.set(new BitSet()));
    }

    @Test
    void virtualThreadsAreRefused() throws Exception {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread.ofVirtual().start(() -> {
            try {
                CpuAffinity.pin(0);
            } catch (Throwable t) {
                thrown.set(t);
            }
        }).join();
        assertTrue(thrown.get() instanceof IllegalStateException, String.valueOf(thrown.get()));
    }

    @Test
    void maskCoversEveryConfiguredCpu() {
        assertEquals(128, CpuAffinity.maskBytes(2));
        assertEquals(128, CpuAffinity.maskBytes(1024));
        assertEquals(136, CpuAffinity.maskBytes(1025));
    }

    private static String cpusAllowedList() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/thread-self/status"))) {
            if (line.startsWith("Cpus_allowed_list:")) {
                return line.substring("Cpus_allowed_list:".length()).trim();
            }
        }
        throw new AssertionError("no Cpus_allowed_list in /proc/thread-self/status");
    }
}
