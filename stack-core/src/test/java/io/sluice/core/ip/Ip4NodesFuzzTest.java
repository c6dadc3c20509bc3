package io.sluice.core.ip;

import static io.sluice.core.wire.TestFrames.put16;
import static io.sluice.core.wire.TestFrames.referenceChecksum;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.core.graph.Graph;
import io.sluice.core.wire.TestFrames;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A million random and mutated frames through ethernet-input: good ARP, ICMP and UDP frames with flipped bits
 * (some with the IPv4 checksum fixed again so deeper checks are reached), truncated, with random total lengths and
 * header lengths, floods of IP options, padding, and plain random bytes, some on unknown interfaces. Nothing may
 * throw, every frame must end under a named reason or in a stub, and every buffer must come back to the pool.
 */
class Ip4NodesFuzzTest {

    private static final int FRAMES = 1_000_000;
    private static final int BATCH = 256;

    @Test
    void everyFrameIsAccountedForAndEveryBufferReturns() {
        try (Ip4Harness h = new Ip4Harness(ArpSettings.defaults(64), false)) {
            h.recording = false;
            SplittableRandom random = new SplittableRandom(0x5eed_23L);
            byte[][] bases = bases();
            byte[] scratch = new byte[1600];
            int freeBefore = h.pool.buffersFree();
            long start = System.nanoTime();
            int fed = 0;
            while (fed < FRAMES) {
                for (int i = 0; i < BATCH; i++) {
                    int length = mutate(random, bases[random.nextInt(bases.length)], scratch);
                    int ifIndex = random.nextInt(20) == 0 ? random.nextInt(-1, 3) : Ip4Harness.IF0;
                    h.receive(Arrays.copyOf(scratch, length), ifIndex);
                }
                fed += BATCH;
                h.run();
            }
            long seconds = (System.nanoTime() - start) / 1_000_000_000L;
            long accounted = h.graph.errors().stream().mapToLong(Graph.ErrorCount::count).sum();
            assertEquals(fed, accounted, "frames fed vs. reasons counted + captured: " + h.errors());
            for (Graph.NodeRuntime r : h.graph.runtime()) {
                assertEquals(0, r.noFrameDrops(), r.name());
            }
            assertEquals(freeBefore, h.pool.buffersFree(), "buffers back in the pool");
            assertTrue(h.udp.received > 0 && h.icmp.received > 0 && h.output.received > 0, h.errors().toString());
            assertTrue(seconds < 60, seconds + " s");
            System.out.println("fuzz: " + fed + " frames in " + seconds + " s: " + h.errors());
        }
    }

    private static byte[][] bases() {
        byte[] arpReply = TestFrames.hex("020000000002 020000000001 0806"
                + "0001 0800 06 04 0002 020000000001 c6120001 020000000002 c6120002");
        byte[][] good = TestFrames.goodFrames();
        byte[][] out = Arrays.copyOf(good, good.length + 2);
        out[good.length] = arpReply;
        out[good.length + 1] = withOptions(TestFrames.udp(12, false), 10, new SplittableRandom(1));
        return out;
    }

    /** Writes a mutation of {@code base} into {@code out}; returns its length. */
    private static int mutate(SplittableRandom random, byte[] base, byte[] out) {
        int length = base.length;
        System.arraycopy(base, 0, out, 0, length);
        switch (random.nextInt(9)) {
            case 0 -> { }
            case 1 -> flipBits(random, out, length);
            case 2 -> {
                flipBits(random, out, length);
                fixIpChecksum(out, length);
            }
            case 3 -> length = random.nextInt(length + 1);
            case 4 -> {
                put16(out, 16, random.nextInt(0x10000));
                fixIpChecksum(out, length);
            }
            case 5 -> {
                out[14] = (byte) (0x40 | random.nextInt(16));
                fixIpChecksum(out, length);
            }
            case 6 -> {
                length = random.nextInt(200);
                for (int i = 0; i < length; i++) {
                    out[i] = (byte) random.nextInt(256);
                }
            }
            case 7 -> {
                int pad = random.nextInt(100);
                for (int i = 0; i < pad; i++) {
                    out[length + i] = (byte) random.nextInt(256);
                }
                length += pad;
            }
            default -> {
                byte[] flooded = withOptions(TestFrames.udp(random.nextInt(40), false), random.nextInt(11), random);
                System.arraycopy(flooded, 0, out, 0, flooded.length);
                length = flooded.length;
            }
        }
        return length;
    }

    private static void flipBits(SplittableRandom random, byte[] frame, int length) {
        if (length == 0) {
            return;
        }
        for (int n = 1 + random.nextInt(3); n > 0; n--) {
            frame[random.nextInt(length)] ^= (byte) (1 << random.nextInt(8));
        }
    }

    /** Recomputes the IPv4 header checksum of an untagged IPv4 frame, if the header is all there. */
    private static void fixIpChecksum(byte[] frame, int length) {
        if (length < 34 || frame[12] != 0x08 || frame[13] != 0x00) {
            return;
        }
        int headerLength = (frame[14] & 0x0f) * 4;
        if (headerLength < 20 || 14 + headerLength > length) {
            return;
        }
        put16(frame, 24, 0);
        put16(frame, 24, referenceChecksum(frame, 14, 14 + headerLength));
    }

    /** {@code frame} (untagged IPv4) with {@code words} 4-byte words of random options inserted after the header. */
    private static byte[] withOptions(byte[] frame, int words, SplittableRandom random) {
        byte[] out = new byte[frame.length + 4 * words];
        System.arraycopy(frame, 0, out, 0, 34);
        for (int i = 0; i < 4 * words; i++) {
            out[34 + i] = (byte) random.nextInt(256);
        }
        System.arraycopy(frame, 34, out, 34 + 4 * words, frame.length - 34);
        out[14] = (byte) (0x45 + words);
        put16(out, 16, out.length - 14);
        fixIpChecksum(out, out.length);
        return out;
    }
}
