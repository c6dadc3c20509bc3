package io.sluice.core.l4;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.core.buffer.BufferCache;
import io.sluice.core.buffer.BufferPool;
import io.sluice.core.buffer.BufferPoolConfig;
import io.sluice.core.graph.GraphBuilder;
import io.sluice.core.graph.Node;
import org.junit.jupiter.api.Test;

/** Wiring: one call adds the four nodes; mistakes name what is wrong. */
class L4NodesTest {

    @Test
    void addsTheFourNodesAndNeedsIp4Output() {
        try (L4Fixture fx = new L4Fixture()) {
            assertEquals(L4Nodes.NAMES, fx.first().graph.nodes().stream().map(Node::name)
                    .filter(L4Nodes.NAMES::contains).toList());
            try (BufferPool pool = BufferPool.create(BufferPoolConfig.defaults().withBufferCount(64));
                    BufferCache cache = pool.newCache()) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> fx.l4.addTo(new GraphBuilder(), 0).build(pool, cache));
                assertTrue(e.getMessage().contains("'ip4-output'"), e.getMessage());
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> fx.l4.addTo(new GraphBuilder(), 1));
            assertTrue(e.getMessage().contains("worker 1"), e.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> new L4Nodes(fx.sockets, a -> true, d -> 0, 0, 50));
        }
    }
}
