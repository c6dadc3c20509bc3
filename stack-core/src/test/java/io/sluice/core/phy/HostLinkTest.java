package io.sluice.core.phy;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.core.testing.TestNamespace;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class HostLinkTest {

    @Test
    void theLinuxSideIsMovedAddressedAndUp() throws Exception {
        TestNamespace.assumeAvailable();
        try (TestNamespace namespace = TestNamespace.create("slh");
                TapDevice tap = TapDevice.open(TestNamespace.uniqueName("slh"), 1)) {
            assertTrue(HostLink.namespaceExists(namespace.name()));
            HostLink.configure(tap.name(), namespace.name(), "198.18.7.1/24", "02:fe:00:00:07:01", 1400);
            String link = namespace.exec("ip", "-o", "addr", "show", "dev", tap.name());
            assertTrue(link.contains("inet 198.18.7.1/24"), link);
            String state = namespace.exec("ip", "-o", "link", "show", "dev", tap.name());
            assertTrue(state.contains("mtu 1400") && state.contains("02:fe:00:00:07:01") && state.contains("UP"),
                    state);
        }
    }

    @Test
    void aFailingCommandIsNamedWithItsOutput() {
        IOException e = assertThrows(IOException.class, () -> HostLink.run("ip", "link", "show", "dev", "nosuch0"));
        assertTrue(e.getMessage().startsWith("'ip link show dev nosuch0' failed with exit code"), e.getMessage());
        assertTrue(e.getMessage().contains("nosuch0"), e.getMessage());
        assertFalse(HostLink.namespaceExists("sluice-no-such-namespace"));
    }
}
