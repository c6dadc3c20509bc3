package io.sluice.core.tcp.cc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sluice.core.config.StackConfigSchema;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The factory knows the configured names, and unknown ones fail naming what is known. */
class CongestionControlsTest {

    @Test
    void createsEachAlgorithmByItsName() {
        CongestionControl cubic = CongestionControls.create("cubic", 1460);
        assertInstanceOf(Cubic.class, cubic);
        assertEquals("cubic", cubic.name());
        assertEquals(1460, cubic.smss());
        CongestionControl reno = CongestionControls.create("newreno", 536);
        assertInstanceOf(NewReno.class, reno);
        assertEquals("newreno", reno.name());
        assertEquals(List.of("cubic", "newreno"), CongestionControls.NAMES);
        for (String name : CongestionControls.NAMES) {
            assertEquals(name, CongestionControls.create(name, 1000).name());
        }
    }

    @Test
    void unknownNamesListTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CongestionControls.create("reno", 1460));
        assertEquals("unknown congestion control 'reno': known are cubic, newreno", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CongestionControls.create(null, 1460));
        assertEquals("unknown congestion control 'null': known are cubic, newreno", e.getMessage());
    }

    @Test
    void theStackConfigurationDefaultsToCubic() {
        assertEquals(CongestionControls.DEFAULT, StackConfigSchema.CC_ALGO.defaultValue());
        assertEquals("cubic", CongestionControls.DEFAULT);
    }
}
