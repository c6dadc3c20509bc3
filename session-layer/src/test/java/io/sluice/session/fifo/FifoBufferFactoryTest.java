package io.sluice.session.fifo;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.core.config.StackConfig;
import io.sluice.core.engine.EngineConfig;
import io.sluice.core.phy.InMemoryWire;
import io.sluice.core.stack.Stack;
import io.sluice.core.tcp.layer.TcpBuffers;
import io.sluice.core.tcp.layer.TcpEvents;
import io.sluice.core.tcp.layer.TcpFlow;
import io.sluice.core.tcp.layer.TcpListener;
import io.sluice.core.util.AllocationMeter;
import io.sluice.core.wire.Ip4Address;
import io.sluice.core.wire.Ip4Prefix;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class FifoBufferFactoryTest {

    private static final int SEND = 64 * 1024;
    private static final int RECEIVE = 128 * 1024;
    private static final String MEMFD_NAME = "memfd:sluice-tcp-fifos";

    private final Arena arena = Arena.ofAuto();

    /** Mappings of the factory's memfds in this process, from /proc/self/maps. */
    private static long memfdMappings() throws IOException {
        try (var lines = Files.lines(Path.of("/proc/self/maps"))) {
            return lines.filter(line -> line.contains(MEMFD_NAME)).count();
        }
    }

    @Test
    void memfdPairIsTwoSeparateFifosInOneMappingThatReleaseUnmaps() throws IOException {
        long before = memfdMappings();
        try (FifoBufferFactory factory = FifoBufferFactory.inMemfd(SEND, RECEIVE)) {
            TcpBuffers buffers = factory.allocate();
            assertNotNull(buffers);
            assertEquals(before + 1, memfdMappings(), "one mapping per pair");
            ByteFifo send = (ByteFifo) buffers.send();
            ByteFifo receive = (ByteFifo) buffers.receive();
            assertEquals(SEND, send.capacity());
            assertEquals(RECEIVE, receive.capacity());
            assertEquals(0, send.maxOutOfOrderRanges(), "the send FIFO needs no range table");
            assertEquals(FifoLayout.DEFAULT_MAX_RANGES, receive.maxOutOfOrderRanges());

            MemorySegment data = arena.allocate(SEND);
            for (int i = 0; i < SEND; i++) {
                data.set(JAVA_BYTE, i, (byte) (i * 7));
            }
            assertEquals(SEND, send.enqueue(data, 0, SEND));
            assertEquals(0, receive.readableBytes(), "filling the send FIFO leaves the receive FIFO alone");
            assertEquals(100, receive.enqueue(data, 0, 100));
            MemorySegment copy = arena.allocate(SEND);
            assertEquals(SEND, send.dequeue(copy, 0, SEND));
            assertEquals(-1, data.mismatch(copy));

            factory.release(buffers);
            assertEquals(before, memfdMappings(), "release unmapped the pair");
            assertThrows(IllegalStateException.class, send::freeSpace, "a stale view throws, never faults");
            assertThrows(IllegalStateException.class, receive::readableBytes);
            assertEquals(1, factory.allocated());
            assertEquals(1, factory.released());
            assertEquals(0, factory.failures());
        }
    }

    @Test
    void closeUnmapsPairsNeverReleased() throws IOException {
        long before = memfdMappings();
        TcpBuffers kept;
        try (FifoBufferFactory factory = FifoBufferFactory.inMemfd(SEND, RECEIVE)) {
            kept = factory.allocate();
            factory.release(factory.allocate());
            assertEquals(before + 1, memfdMappings());
        }
        assertEquals(before, memfdMappings(), "close unmapped the pair still held");
        assertThrows(IllegalStateException.class, ((ByteFifo) kept.send())::freeSpace);
    }

    @Test
    void automaticPairsStayUsableAfterReleaseWhichOnlyCounts() {
        try (FifoBufferFactory factory = new FifoBufferFactory(SEND, RECEIVE)) {
            TcpBuffers buffers = factory.allocate();
            factory.release(buffers);
            assertEquals(SEND, ((ByteFifo) buffers.send()).freeSpace());
            assertEquals(1, factory.released());
        }
    }

    /**
     * One connection between two single-thread stacks over an in-memory wire, its FIFOs in memfd mappings: 8 MiB
     * arrive intact, and the steady state of moving them allocates nothing.
     */
    @Test
    void tcpMovesBytesIntactThroughMemfdFifosWithoutAllocating() throws IOException {
        long before = memfdMappings();
        EngineConfig single = EngineConfig.singleThreadMode().withPolledSleepNanos(0);
        StackConfig config = StackConfig.parse("test.conf", "buffers { buffers-per-numa 4096 }");
        try (FifoBufferFactory factory = FifoBufferFactory.inMemfd(256 * 1024, 256 * 1024);
                InMemoryWire wire = InMemoryWire.builder().ends("fbf-a", 0x02_00_00_00_0c_01L, "fbf-b",
                        0x02_00_00_00_0c_02L).capacity(1024).build();
                Stack client = Stack.create(config, single, System::nanoTime);
                Stack server = Stack.create(config, single, System::nanoTime)) {
            client.addInterface(wire.a(), Ip4Prefix.parse("198.18.12.1/24"));
            server.addInterface(wire.b(), Ip4Prefix.parse("198.18.12.2/24"));
            client.start();
            server.start();
            TcpListener listener = server.tcp().listen(0, 5400, 4, factory, new TcpEvents() { });
            TcpFlow sender = client.tcp().connect(0, Ip4Address.parse("198.18.12.2").bits(), 5400, factory,
                    new TcpEvents() { });
            TcpFlow receiver = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (receiver == null && System.nanoTime() < deadline) {
                client.engine().runOnce();
                server.engine().runOnce();
                receiver = listener.accept();
            }
            assertNotNull(receiver, "the connection came up: " + sender);
            assertEquals(before + 2, memfdMappings(), "each end's pair in its own memfd mapping");

            Transfer transfer = new Transfer(client, server, sender, receiver);
            assertTrue(transfer.move(8 << 20), "8 MiB arrived within the time limit");
            assertEquals(0, transfer.corrupt, "every byte arrived as sent, in order");
            long allocated = AllocationMeter.allocatedInSteadyState(() -> transfer.move(1 << 20));
            assertEquals(0, allocated, "bytes allocated moving 1 MiB in steady state");
            assertEquals(0, factory.failures());
        }
    }

    /** Drives both stacks: fills the sender's FIFO with a counting pattern, drains and checks the receiver's. */
    private final class Transfer {
        private final Stack client;
        private final Stack server;
        private final TcpFlow sender;
        private final TcpFlow receiver;
        private final MemorySegment chunk = arena.allocate(16 * 1024);
        private long written;
        private long read;
        long corrupt;

        Transfer(Stack client, Stack server, TcpFlow sender, TcpFlow receiver) {
            this.client = client;
            this.server = server;
            this.sender = sender;
            this.receiver = receiver;
        }

        /** Moves {@code bytes} more end to end; false if that took more than 20 seconds. */
        boolean move(long bytes) {
            ByteFifo send = (ByteFifo) sender.buffers().send();
            ByteFifo receive = (ByteFifo) receiver.buffers().receive();
            long target = read + bytes;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (read < target && System.nanoTime() < deadline) {
                int room = (int) Math.min(Math.min(send.freeSpace(), chunk.byteSize()), target - written);
                if (room > 0) {
                    for (int i = 0; i < room; i++) {
                        chunk.set(JAVA_BYTE, i, pattern(written + i));
                    }
                    written += send.enqueue(chunk, 0, room);
                    sender.flush();
                }
                int got = receive.dequeue(chunk, 0, (int) chunk.byteSize());
                for (int i = 0; i < got; i++) {
                    if (chunk.get(JAVA_BYTE, i) != pattern(read + i)) {
                        corrupt++;
                    }
                }
                read += got;
                if (got > 0) {
                    receiver.flush();
                }
                client.engine().runOnce();
                server.engine().runOnce();
            }
            return read >= target;
        }

        private static byte pattern(long position) {
            return (byte) (position * 31 + (position >>> 11));
        }
    }
}
