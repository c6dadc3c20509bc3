package io.sluice.session.segment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.core.config.StackConfig;
import io.sluice.core.engine.EngineConfig;
import io.sluice.core.phy.InMemoryWire;
import io.sluice.core.stack.Stack;
import io.sluice.core.tcp.conn.TcpState;
import io.sluice.core.tcp.layer.TcpEvents;
import io.sluice.core.tcp.layer.TcpFlow;
import io.sluice.core.tcp.layer.TcpListener;
import io.sluice.core.wire.Ip4Address;
import io.sluice.core.wire.Ip4Prefix;
import io.sluice.session.fifo.ByteFifo;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * TCP moving bytes through FIFOs in application segments: two single-thread stacks over the in-memory wire, each
 * taking its connection's buffers from a segment manager, 1 MiB from A to B checked byte by byte, and both pairs
 * back in their segments once the connection is gone.
 */
class SegmentTcpTest {

    private static final int A_ADDRESS = Ip4Address.parse("198.18.9.1").bits();
    private static final int B_ADDRESS = Ip4Address.parse("198.18.9.2").bits();
    private static final int PORT = 7070;
    private static final int TOTAL = 1 << 20;
    private static final int FIFO = 64 * 1024;
    private static final long STEP_NANOS = 20_000;

    @Test
    @Timeout(60)
    void oneMebibyteCrossesThroughSegmentFifosIntact() throws Exception {
        long[] now = {1_000_000_000L};
        EngineConfig single = EngineConfig.singleThreadMode().withPolledSleepNanos(0);
        StackConfig config = StackConfig.parse("segments", "buffers { buffers-per-numa 8192 }");
        try (InMemoryWire wire = InMemoryWire.builder().ends("seg-a", 0x02_00_00_00_09_01L, "seg-b",
                        0x02_00_00_00_09_02L).build();
                Stack a = Stack.create(config, single, () -> now[0]);
                Stack b = Stack.create(config, single, () -> now[0]);
                SegmentManager sender = new SegmentManager("sender", FIFO, FIFO, 1 << 20, SegmentLimits.DEFAULT,
                        new AtomicLong(1), SegmentManager.Listener.NONE);
                SegmentManager receiver = new SegmentManager("receiver", FIFO, FIFO, 1 << 20, SegmentLimits.DEFAULT,
                        new AtomicLong(1), SegmentManager.Listener.NONE)) {
            a.addInterface(wire.a(), Ip4Prefix.parse("198.18.9.1/24"));
            b.addInterface(wire.b(), Ip4Prefix.parse("198.18.9.2/24"));
            a.start();
            b.start();
            TcpListener listener = b.tcp().listen(0, PORT, 8, receiver.tcpBuffers(), new TcpEvents() { });
            TcpFlow client = a.tcp().connect(0, B_ADDRESS, PORT, sender.tcpBuffers(), new TcpEvents() { });
            assertEquals(1, sender.inUse(), "connect took a pair from the sender's segments");

            MemorySegment chunk = MemorySegment.ofArray(new byte[16 * 1024]);
            long sent = 0;
            long received = 0;
            long mismatches = 0;
            TcpFlow server = null;
            boolean clientClosed = false;
            for (int step = 0; step < 2_000_000 && !done(server, client, received); step++) {
                if (server == null) {
                    server = listener.accept();
                }
                if (client.state().isSynchronized() && sent < TOTAL) {
                    ByteFifo tx = (ByteFifo) client.buffers().send();
                    int n = (int) Math.min(Math.min(chunk.byteSize(), TOTAL - sent), tx.freeSpace());
                    for (int i = 0; i < n; i++) {
                        chunk.set(ValueLayout.JAVA_BYTE, i, pattern(sent + i));
                    }
                    sent += tx.enqueue(chunk, 0, n);
                    client.flush();
                } else if (sent == TOTAL && !clientClosed) {
                    client.close();
                    clientClosed = true;
                }
                if (server != null && !server.isClosed()) {
                    ByteFifo rx = (ByteFifo) server.buffers().receive();
                    int got;
                    while ((got = rx.dequeue(chunk, 0, (int) chunk.byteSize())) > 0) {
                        for (int i = 0; i < got; i++) {
                            if (chunk.get(ValueLayout.JAVA_BYTE, i) != pattern(received + i)) {
                                mismatches++;
                            }
                        }
                        received += got;
                        server.flush(); // the window opened
                    }
                    if (received == TOTAL && server.state() == TcpState.CLOSE_WAIT) {
                        server.close();
                    }
                }
                a.engine().runOnce();
                b.engine().runOnce();
                now[0] += STEP_NANOS;
            }
            assertNotNull(server, "the listener accepted the connection");
            assertEquals(TOTAL, received, "every byte arrived");
            assertEquals(0, mismatches, "every byte intact");
            assertTrue(server.buffers().receive() instanceof ByteFifo, "the receiver's buffers are segment FIFOs");
            // TIME-WAIT holds the closer's pair until it expires: coast past it in large steps.
            for (int i = 0; i < 10_000 && (sender.inUse() + receiver.inUse() > 0); i++) {
                a.engine().runOnce();
                b.engine().runOnce();
                now[0] += 10_000_000;
            }
            assertEquals(0, receiver.inUse(), "the receiver's pair is back in its segment");
            assertEquals(0, sender.inUse(), "the sender's pair is back in its segment");
            assertEquals(0, sender.tcpRefusals() + receiver.tcpRefusals());
            listener.close();
        }
    }

    /** Everything arrived and both ends are closed. */
    private static boolean done(TcpFlow server, TcpFlow client, long received) {
        return server != null && received == TOTAL && server.isClosed() && client.isClosed();
    }

    private static byte pattern(long position) {
        return (byte) (position * 31 + (position >>> 11));
    }
}
