package io.sluice.core.phy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
