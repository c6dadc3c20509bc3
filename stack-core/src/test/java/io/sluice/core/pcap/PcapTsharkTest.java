package io.sluice.core.pcap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.core.buffer.BufferCache;
import io.sluice.core.buffer.BufferPool;
import io.sluice.core.buffer.BufferPoolConfig;
import java.io.File;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The files are what Wireshark reads: {@code tshark} decodes the UDP frames written, with their lengths, addresses,
 * ports and nanosecond timestamps. Skipped when {@code tshark} is not on the PATH ({@code .ci/run} installs it).
 */
class PcapTsharkTest {

    private static final long T0 = 1_795_316_400_000_000_001L;
    private static final int SOURCE = 0x0a_00_00_01;
    private static final int DESTINATION = 0xc0_a8_01_02;
    private static final long TIMEOUT_SECONDS = 120;
    private static final int SNAP = 2000;

    @TempDir
    Path dir;

    @Test
    void tsharkListsThePacketsWritten() throws IOException, InterruptedException {
        Path tshark = findOnPath("tshark");
        assumeTrue(tshark != null, "tshark not installed: not on PATH " + System.getenv("PATH"));

        Path file = dir.resolve("udp.pcap");
        int[] payloads = {0, 18, 1472, 4000};
        int[] ports = {53, 4789, 9000, 12345};
        int[] frameLengths = new int[payloads.length];
        try (Arena arena = Arena.ofConfined();
                BufferPool pool = BufferPool.create(new BufferPoolConfig(64, 2048, 128, 16));
                PcapWriter w = PcapWriter.open(file, SNAP, PcapWriter.UNLIMITED, PcapWriter.UNLIMITED)) {
            MemorySegment frame = arena.allocate(8192);
            BufferCache cache = pool.newCache();
            for (int i = 0; i < payloads.length; i++) {
                int length = TestFrames.udp(frame, 0, SOURCE + i, DESTINATION, ports[i], payloads[i]);
                frameLengths[i] = length;
                long time = T0 + i * 1_000_000_001L;
                if (i % 2 == 0) {
                    assertTrue(w.write(time, frame, 0, length, length));
                } else {
                    // Odd packets from a buffer chain; the 4000-byte payload spans two buffers and is truncated
                    // to the snap length.
                    int head = cache.copyIn(frame, 0, length);
                    assertTrue(w.write(time, pool, head));
                    cache.freeChain(head);
                }
            }
            assertEquals(1, w.packetsTruncated());
        }

        List<String> lines = run(tshark.toString(), "-r", file.toString(), "-T", "fields", "-E", "separator=,",
                "-e", "frame.len", "-e", "frame.cap_len", "-e", "ip.src", "-e", "ip.dst", "-e", "udp.dstport",
                "-e", "udp.length", "-e", "frame.time_epoch");
        assertEquals(payloads.length, lines.size(), "tshark output: " + lines);
        for (int i = 0; i < payloads.length; i++) {
            String[] f = lines.get(i).split(",", -1);
            assertEquals(String.valueOf(frameLengths[i]), f[0], "frame.len of " + lines.get(i));
            assertEquals(String.valueOf(Math.min(frameLengths[i], SNAP)), f[1], "frame.cap_len of " + lines.get(i));
            assertEquals(TestFrames.dotted(SOURCE + i), f[2], "ip.src of " + lines.get(i));
            assertEquals(TestFrames.dotted(DESTINATION), f[3], "ip.dst of " + lines.get(i));
            assertEquals(String.valueOf(ports[i]), f[4], "udp.dstport of " + lines.get(i));
            assertEquals(String.valueOf(8 + payloads[i]), f[5], "udp.length of " + lines.get(i));
            long time = T0 + i * 1_000_000_001L;
            String expected = time / 1_000_000_000L + "." + String.format("%09d", time % 1_000_000_000L);
            assertEquals(expected, f[6], "frame.time_epoch of " + lines.get(i) + ": nanoseconds kept");
        }
    }

    @Test
    void tsharkDecodesTcpSegmentsAndOptionsAsWritten() throws IOException, InterruptedException {
        Path tshark = findOnPath("tshark");
        assumeTrue(tshark != null, "tshark not installed: not on PATH " + System.getenv("PATH"));

        // The wire tests' hand-built segments, which the TCP emitters reproduce byte for byte.
        byte[][] frames = {io.sluice.core.wire.TestFrames.tcpSyn(), io.sluice.core.wire.TestFrames.tcpData()};
        Path file = dir.resolve("tcp.pcap");
        try (PcapWriter w = PcapWriter.open(file, SNAP, PcapWriter.UNLIMITED, PcapWriter.UNLIMITED)) {
            for (int i = 0; i < frames.length; i++) {
                MemorySegment frame = MemorySegment.ofArray(frames[i]);
                assertTrue(w.write(T0 + i, frame, 0, frames[i].length, frames[i].length));
            }
        }

        List<String> lines = run(tshark.toString(), "-r", file.toString(), "-o", "tcp.check_checksum:TRUE",
                "-o", "tcp.relative_sequence_numbers:FALSE", "-T", "fields", "-E", "separator=,",
                "-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "tcp.seq_raw", "-e", "tcp.ack_raw", "-e", "tcp.flags",
                "-e", "tcp.window_size_value", "-e", "tcp.checksum.status", "-e", "tcp.options.mss_val",
                "-e", "tcp.options.wscale.shift", "-e", "tcp.options.sack_perm", "-e", "tcp.options.timestamp.tsval",
                "-e", "tcp.options.timestamp.tsecr", "-e", "tcp.options.sack_le", "-e", "tcp.options.sack_re",
                "-e", "tcp.len");
        // Checksum status 1 is "good". Sequence numbers are unsigned decimal: 0xc0000001 = 3221225473.
        assertEquals(List.of(
                "40000,80,16909060,0,0x0002,64240,1,1460,7,0402,168496141,0,,,0",
                "40000,80,16909061,3221225473,0x0018,501,1,,,,168496142,43981,3221225728,3221225984,11"), lines);
    }

    private List<String> run(String... command) throws IOException, InterruptedException {
        Path out = dir.resolve("tshark.out");
        Path err = dir.resolve("tshark.err");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("tshark did not finish in " + TIMEOUT_SECONDS + " s: " + List.of(command));
        }
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "tshark exit status; stderr: " + stderr);
        List<String> lines = new ArrayList<>();
        for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                lines.add(line);
            }
        }
        return lines;
    }

    private static Path findOnPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String d : path.split(File.pathSeparator)) {
            Path candidate = Path.of(d.isEmpty() ? "." : d, program);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
