package io.sluice.core.iface;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.core.phy.LoopbackDevice;
import org.junit.jupiter.api.Test;

class InterfaceTableTest {

    @Test
    void indicesFollowTheOrderOfAddition() {
        InterfaceTable table = new InterfaceTable();
        Interface a = table.add(new LoopbackDevice("lo0", 0x02_00_00_00_00_01L, 1500, 64));
        Interface b = table.add(new LoopbackDevice("lo1", 0x02_00_00_00_00_02L, 9000, 64));
        assertEquals(0, a.index());
        assertEquals(1, b.index());
        assertSame(b, table.get(1));
        assertSame(a, table.byName("lo0"));
        assertEquals(9000, table.get(1).mtu());
        assertEquals(2, table.size());
        assertNull(table.get(2));
        assertNull(table.get(-1));
        assertNull(table.byName("eth0"));
        assertTrue(a.isAdminUp());
    }

    @Test
    void aSecondDeviceOfTheSameNameIsRefused() {
        InterfaceTable table = new InterfaceTable();
        table.add(new LoopbackDevice("lo0", 0x02_00_00_00_00_01L, 1500, 64));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> table.add(new LoopbackDevice("lo0", 0x02_00_00_00_00_03L, 1500, 64)));
        assertTrue(e.getMessage().contains("'lo0' exists already"), e.getMessage());
        assertEquals(1, table.size());
    }
}
