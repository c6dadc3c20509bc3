package io.sluice.core.phy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.core.buffer.BufferCache;
import io.sluice.core.buffer.BufferPool;
import io.sluice.core.pcap.PcapWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PcapDeviceTest {

    private static final long T0 = 1_795_316_400_000_000_000L;

    @TempDir
    Path dir;

    private final WireFixture fx = new WireFixture();

    @AfterEach
    void close() {
        fx.close();
    }

    /** A record read back: timestamp in nanoseconds and bytes. */
    private record Packet(long nanos, byte[] data) {}

    /** Reads a little-endian nanosecond pcap file (what PcapWriter writes). */
    private static List<Packet> read(Path file) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0xa1b23c4d, in.getInt(0));
        assertEquals(1, in.getInt(20), "link type Ethernet");
        in.position(24);
        List<Packet> out = new ArrayList<>();
        while (in.hasRemaining()) {
            long seconds = Integer.toUnsignedLong(in.getInt());
            long nanos = Integer.toUnsignedLong(in.getInt());
            int included = in.getInt();
            int original = in.getInt();
            assertEquals(original, included);
            byte[] data = new byte[included];
            in.get(data);
            out.add(new Packet(seconds * 1_000_000_000L + nanos, data));
        }
        return out;
    }

    /**
     * Two workers transmit on two devices that share one writer, as {@code pcap trace} over the whole stack does:
     * every frame is in the file, whole (its bytes match the frame of its sequence number), none interleaved.
     */
    @Test
    void oneWriterSharedByTwoDevicesOnTwoThreadsKeepsEveryFrameWhole() throws Exception {
        Path file = dir.resolve("shared.pcap");
        int perThread = 5_000;
        PcapWriter writer = PcapWriter.open(file, 65535, PcapWriter.UNLIMITED, PcapWriter.UNLIMITED);
        try (PcapDevice a = new PcapDevice(new LoopbackDevice("lo-a", 0x02_00_00_00_00_0aL, 1500, 64));
                PcapDevice b = new PcapDevice(new LoopbackDevice("lo-b", 0x02_00_00_00_00_0bL, 1500, 64))) {
            a.startCapture(writer, false, true);
            b.startCapture(writer, false, true);
            Thread second = new Thread(() -> transmitAndDrain(b, fx.poolB, 1_000_000, perThread));
            second.start();
            transmitAndDrain(a, fx.poolA, 0, perThread);
            second.join(30_000);
            assertFalse(second.isAlive(), "the second worker finished");
            assertSame(writer, a.stopCapture());
            assertSame(writer, b.stopCapture());
            PcapDevice.closeDetached(writer);
        }
        List<Packet> got = read(file);
        assertEquals(2 * perThread, got.size());
        for (Packet p : got) {
            int sequence = WireFixture.sequenceOf(p.data());
            assertArrayEquals(WireFixture.frame(p.data().length, sequence), p.data(), "frame " + sequence);
        }
    }

    /** Sends {@code count} frames numbered from {@code first} on {@code device} from a cache of its own. */
    private static void transmitAndDrain(Device device, BufferPool pool, int first, int count) {
        try (BufferCache cache = pool.newCache()) {
            int[] one = new int[1];
            int[] rx = new int[64];
            for (int i = 0; i < count; i++) {
                byte[] bytes = WireFixture.frame(60 + i % 200, first + i);
                one[0] = cache.copyIn(bytes, 0, bytes.length);
                device.transmit(0, T0 + i, cache, one, 0, 1);
                int n = device.receive(0, T0 + i, cache, rx, 0, rx.length);
                for (int k = 0; k < n; k++) {
                    cache.freeChain(rx[k]);
                }
            }
        }
    }

    @Test
    void capturesReceivedAndTransmittedFrames() throws IOException {
        Path file = dir.resolve("a.pcap");
        try (InMemoryWire wire = InMemoryWire.builder().build(); PcapDevice a = new PcapDevice(wire.a())) {
            a.startCapture(PcapWriter.open(file, 65535, PcapWriter.UNLIMITED, PcapWriter.UNLIMITED), true, true);
            fx.send(a, fx.cacheA, T0, WireFixture.frame(100, 1));
            fx.send(wire.b(), fx.cacheB, T0 + 5, WireFixture.frame(1500, 2));
            assertEquals(1, fx.receiveAll(a, fx.cacheA, T0 + 10).size());
            assertEquals(1, fx.receiveAll(wire.b(), fx.cacheB, T0 + 10).size());
            a.stopCapture().close();
            fx.send(a, fx.cacheA, T0 + 20, WireFixture.frame(60, 3));
            fx.receiveAll(wire.b(), fx.cacheB, T0 + 20);
        }
        List<Packet> got = read(file);
        assertEquals(2, got.size());
        assertEquals(T0, got.get(0).nanos());
        assertArrayEquals(WireFixture.frame(100, 1), got.get(0).data());
        assertEquals(T0 + 10, got.get(1).nanos());
        assertArrayEquals(WireFixture.frame(1500, 2), got.get(1).data());
        assertEquals(fx.inUseA, fx.poolA.buffersInUse());
        assertEquals(fx.inUseB, fx.poolB.buffersInUse());
    }

    @Test
    void capturesOneDirectionOnlyAndStopsItselfAtTheLimit() throws IOException {
        Path file = dir.resolve("tx.pcap");
        try (InMemoryWire wire = InMemoryWire.builder().build(); PcapDevice a = new PcapDevice(wire.a())) {
            PcapWriter writer = PcapWriter.open(file, 65535, 3, PcapWriter.UNLIMITED);
            a.startCapture(writer, false, true);
            assertThrows(IllegalStateException.class, () -> a.startCapture(writer, true, true));
            fx.send(wire.b(), fx.cacheB, T0, WireFixture.frame(70, 100));
            fx.receiveAll(a, fx.cacheA, T0);
            for (int i = 0; i < 5; i++) {
                fx.send(a, fx.cacheA, T0 + i, WireFixture.frame(60, i));
            }
            assertFalse(a.capturingTx(), "capture turned itself off at the limit");
            assertSame(writer, a.writer());
            assertEquals(5, fx.receiveAll(wire.b(), fx.cacheB, T0 + 10).size(), "the device kept working");
        }
        List<Packet> got = read(file);
        assertEquals(3, got.size());
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(WireFixture.frame(60, i), got.get(i).data());
        }
    }

    @Test
    void startCaptureChecksItsArguments() {
        try (PcapDevice lo = new PcapDevice(new LoopbackDevice("lo", 0, 1500, 4))) {
            assertThrows(NullPointerException.class, () -> lo.startCapture(null, true, true));
            assertTrue(lo.stopCapture() == null);
            assertEquals("lo", lo.name());
        }
    }
}
