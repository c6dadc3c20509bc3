package io.sluice.core.tcp.conn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.core.util.AllocationMeter;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Two connections back to back: 1 MiB through random segment loss arrives intact and both close cleanly; and the
 * steady-state data path (segment in, ACK out) allocates nothing.
 */
class TcpConnectionPairTest {

    private static final int MIB = 1 << 20;

    @Test
    void oneMebibyteThroughRandomLossArrivesIntactAndBothSidesClose() {
        for (long seed = 1; seed <= 6; seed++) {
            transfer(seed, seed == 1 ? 0 : 0.05, TcpSettings.defaults());
        }
        transfer(7, 0.1, TcpSettings.defaults().withOptions(false, false, false).withMss(536));
    }

    private static void transfer(long seed, double loss, TcpSettings settings) {
        String what = "seed " + seed + ", loss " + loss + ", " + settings;
        byte[] data = new byte[MIB];
        new Random(seed).nextBytes(data);
        byte[] received = new byte[MIB];
        MemorySegment source = MemorySegment.ofArray(data);
        MemorySegment sink = MemorySegment.ofArray(received);
        ConnectionPair pair = new ConnectionPair(settings, 64 * 1024, seed, loss);
        pair.open((int) (seed * 0x9E3779B9L), (int) (seed * 0x7F4A7C15L));
        int written = 0;
        int read = 0;
        boolean aClosed = false;
        boolean bClosed = false;
        for (int round = 0; round < 1_000_000; round++) {
            int wrote = 0;
            if (pair.a.state() == TcpState.ESTABLISHED && written < MIB) {
                wrote = pair.aSend.write(source, written, MIB - written);
                written += wrote;
                pair.a.poll(pair.now);
            }
            if (written == MIB && !aClosed && pair.a.state() == TcpState.ESTABLISHED) {
                pair.a.close(pair.now);
                aClosed = true;
            }
            pair.deliverAll();
            int n = pair.bReceive.read(sink, read, MIB - read);
            read += n;
            if (n > 0) {
                pair.b.poll(pair.now);
            }
            if (!bClosed && pair.b.state() == TcpState.CLOSE_WAIT) {
                pair.b.close(pair.now);
                bClosed = true;
            }
            boolean canWrite = pair.a.state() == TcpState.ESTABLISHED && written < MIB
                    && pair.aSend.readableBytes() < pair.aSend.capacity();
            if (pair.aOut.size() == 0 && pair.bOut.size() == 0 && n == 0 && wrote == 0 && !canWrite
                    && !pair.advanceToNextDeadline()) {
                break; // nothing moves and no timer is armed: done (or stuck, which the asserts report)
            }
        }
        what += " (a " + describe(pair.a) + ", b " + describe(pair.b) + ", at " + pair.now / 1_000_000 + " ms)";
        assertEquals(MIB, read, what);
        assertArrayEquals(data, received, what);
        assertEquals(TcpState.CLOSED, pair.a.state(), what); // TIME-WAIT ran out on the virtual clock
        assertEquals(TcpState.CLOSED, pair.b.state(), what);
        assertEquals(CloseCause.NONE, pair.a.closeCause(), what);
        assertEquals(CloseCause.NONE, pair.b.closeCause(), what);
        if (loss > 0) {
            assertTrue(pair.lost > 0 && pair.a.retransmittedSegments() > 0, what);
        } else {
            assertEquals(0, pair.a.retransmittedSegments(), what);
        }
        assertTrue(pair.now < ConnectionPair.ms(10 * 60_000), what + ": took " + pair.now / 1_000_000 + " ms");
        System.out.printf("1 MiB, seed %d, loss %.2f: %d segments delivered, %d lost, %d retransmitted, %d RTOs,"
                + " done at %d ms of virtual time (TIME-WAIT included)%n", seed, loss, pair.delivered, pair.lost,
                pair.a.retransmittedSegments() + pair.b.retransmittedSegments(), pair.a.timeouts() + pair.b.timeouts(),
                pair.now / 1_000_000);
    }

    private static String describe(TcpConnection c) {
        return c.state() + "/" + c.closeCause() + " una " + c.sndUna() + " nxt " + c.sndNxt() + " wnd " + c.sndWnd()
                + " rcv " + c.rcvNxt() + " rwnd " + c.rcvWnd() + " rto# " + c.timeouts() + " deadline "
                + c.nextDeadline();
    }

    @Test
    void steadyStateSegmentInAckOutAllocatesNothing() {
        ConnectionPair pair = new ConnectionPair(TcpSettings.defaults(), 64 * 1024, 1, 0);
        pair.open(0xFFFF_0000, 12345); // sequence numbers wrap during the run
        pair.deliverAll();
        assertEquals(TcpState.ESTABLISHED, pair.a.state());
        assertEquals(TcpState.ESTABLISHED, pair.b.state());
        MemorySegment chunk = MemorySegment.ofArray(new byte[2 * 1448]);
        MemorySegment sink = MemorySegment.ofArray(new byte[64 * 1024]);
        long[] moved = new long[1];
        Runnable round = () -> {
            pair.aSend.write(chunk, 0, (int) chunk.byteSize());
            pair.a.poll(pair.now);
            pair.deliverAll(); // two segments in, one ACK out and back (sequence, options, timestamps, RTT, cwnd)
            moved[0] += pair.bReceive.read(sink, 0, (int) sink.byteSize());
            pair.b.poll(pair.now);
            pair.now += ConnectionPair.ms(1);
        };
        Runnable rounds = () -> {
            for (int i = 0; i < 16; i++) {
                round.run();
            }
        };
        Runnable warmup = () -> {
            for (int i = 0; i < 2000; i++) {
                round.run();
            }
        };
        long bytes = AllocationMeter.allocatedInSteadyState(warmup, rounds);
        assertEquals(0, bytes, "bytes allocated per round of two segments and their ACK");
        assertEquals(0, pair.aSend.readableBytes(), "everything sent was acknowledged");
        assertTrue(moved[0] > 2000L * chunk.byteSize());
        assertEquals(0, pair.a.retransmittedSegments());
    }
}
