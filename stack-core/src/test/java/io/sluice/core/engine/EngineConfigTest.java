package io.sluice.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.core.config.StackConfig;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The {@code cpu} section of startup.conf mapped to the engine's threads. */
class EngineConfigTest {

    private static EngineConfig from(String cpuSection, int cpus) {
        return EngineConfig.from(StackConfig.parse("startup.conf", cpuSection).cpu(), cpus);
    }

    @Test
    void absentWorkersMeansOnePerCpuButOneAtLeastOneUnpinned() {
        assertEquals(EngineConfig.workers(7), from("", 8));
        assertEquals(EngineConfig.workers(1), from("", 2));
        assertEquals(EngineConfig.workers(1), from("", 1));
        assertFalse(from("", 8).singleThread());
        assertEquals(List.of(), from("", 8).workerCpus());
    }

    @Test
    void workersZeroIsSingleThreadMode() {
        EngineConfig config = from("cpu { workers 0 }", 8);
        assertTrue(config.singleThread());
        assertEquals(1, config.workers());
    }

    @Test
    void workersArePinnedAfterTheSkippedCoresLeavingOutTheMainCore() {
        EngineConfig config = from("cpu { main-core 1 workers 3 skip-cores 1 }", 8);
        assertEquals(3, config.workers());
        assertEquals(List.of(2, 3, 4), config.workerCpus());
        assertEquals(Optional.of(1), config.mainCore());
        assertEquals(List.of(0, 2), from("cpu { main-core 1 workers 2 }", 4).workerCpus());
    }

    @Test
    void tooFewCpusForTheWorkersIsAnErrorNamingTheKeys() {
        assertEquals("cpu: 'workers 2' with 'skip-cores 0' and 'main-core 0' needs 2 CPUs for workers, but this "
                + "machine has 2 CPUs (CPUs left: [1]); give fewer workers or a corelist-workers",
                assertThrows(IllegalArgumentException.class, () -> from("cpu { main-core 0 workers 2 }", 2))
                        .getMessage());
    }

    @Test
    void corelistWorkersPinsOneWorkerPerListedCpu() {
        EngineConfig config = from("cpu { main-core 0 corelist-workers 2-3,6 }", 8);
        assertEquals(3, config.workers());
        assertEquals(List.of(2, 3, 6), config.workerCpus());
        assertEquals(6, config.cpuOf(2));
    }

    @Test
    void valuesAreChecked() {
        assertEquals("workers must be 1 to 256, got 0",
                assertThrows(IllegalArgumentException.class, () -> EngineConfig.workers(0)).getMessage());
        assertEquals("2 workers but 1 worker CPUs [3]", assertThrows(IllegalArgumentException.class,
                () -> EngineConfig.workers(2).withWorkerCpus(List.of(3))).getMessage());
    }
}
