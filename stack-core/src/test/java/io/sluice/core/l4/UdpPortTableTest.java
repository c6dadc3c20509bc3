package io.sluice.core.l4;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The port table: ephemeral ports, growth, and lookups that never miss a binding while others change. */
class UdpPortTableTest {

    private final UdpPortTable table = new UdpPortTable();

    private UdpEchoService bind(int address, int port) {
        return table.bind(address, port, p -> new UdpEchoService(table, address, p));
    }

    @Test
    void ephemeralPortsAreDistinctAndInRange() {
        Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < 2000; i++) {
            int port = bind(0, 0).localPort();
            assertTrue(port >= UdpPortTable.EPHEMERAL_FIRST && port <= UdpPortTable.EPHEMERAL_LAST, "port " + port);
            assertTrue(ports.add(port), "port " + port + " handed out twice");
        }
        assertEquals(2000, table.size());
        assertEquals(2000, table.receivers().size());
    }

    @Test
    void lookupPrefersTheAddressThenTheWildcardAndUnbindOnlyRemovesItsOwner() {
        UdpEchoService any = bind(0, 53);
        UdpEchoService other = bind(0x0a00_0001, 54);
        assertSame(any, table.lookup(0x0a00_0001, 53));
        assertSame(other, table.lookup(0x0a00_0001, 54));
        assertNull(table.lookup(0x0a00_0002, 54));
        assertEquals(false, table.unbind(0, 53, other));
        any.close();
        assertNull(table.lookup(0x0a00_0001, 53));
        assertSame(other, table.lookup(0x0a00_0001, 54));
    }

    @Test
    void readersAlwaysFindAStableBindingWhileOthersChange() throws Exception {
        UdpEchoService stable = bind(0, 7);
        AtomicBoolean stop = new AtomicBoolean();
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < 20_000 && !stop.get(); i++) {
                bind(0x0a00_0000 + i % 100, 1000 + i % 500).close();
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        long lookups = 0;
        while (!writer.isDone() && System.nanoTime() < deadline) {
            assertSame(stable, table.lookup(0x0a00_0005, 7));
            lookups++;
        }
        stop.set(true);
        writer.get(10, TimeUnit.SECONDS);
        assertTrue(lookups > 0);
        assertEquals(1, table.size());
    }
}
