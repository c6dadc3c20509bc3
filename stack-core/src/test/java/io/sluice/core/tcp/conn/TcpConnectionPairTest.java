package io.sluice.core.tcp.conn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.core.util.AllocationMeter;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Two connections back to back: 1 MiB each way through random segment loss and duplication arrives intact and both
 * close cleanly; and the
 * steady-state data path (segment in, ACK out) allocates nothing.
 */
class TcpConnectionPairTest {

    private static final int MIB = 1 << 20;

    @Test
    void oneMebibyteEachWayThroughRandomLossArrivesIntactAndBothSidesClose() {
        transfer(1, 0, 0, TcpSettings.defaults());
        for (long seed = 2; seed <= 6; seed++) {
            transfer(seed, 0.05, 0.01, TcpSettings.defaults());
        }
        transfer(7, 0.1, 0.02, TcpSettings.defaults().withOptions(false, false, false).withMss(536));
        transfer(8, 0.05, 0, new TcpSettings(1460, true, true, true, 30_000_000_000L, 40_000_000L, 15, "newreno"));
    }

    @Test
    void sackAndRackRecoverOneMebibyteEachWayThroughLossAndReordering() {
        for (long seed = 11; seed <= 14; seed++) {
            ConnectionPair pair = transfer(seed, 0.03, 0.01, 0.05, TcpSettings.defaults());
            assertTrue(pair.a.rackTlp() && pair.b.rackTlp());
            assertTrue(pair.reordered > 0);
            assertTrue(pair.a.rackLosses() + pair.b.rackLosses() > 0, "RACK found the losses");
            assertTrue(pair.a.sackRecoveries() + pair.b.sackRecoveries() > 0);
        }
        ConnectionPair pair = transfer(15, 0.03, 0.01, 0.05, TcpSettings.defaults().withRackTlp(false));
        assertTrue(!pair.a.rackTlp() && pair.a.sackPermitted());
        assertEquals(0, pair.a.rackLosses() + pair.b.rackLosses());
        assertTrue(pair.a.sackRecoveries() + pair.b.sackRecoveries() > 0, "RFC 6675 recovery ran");
    }

    /** One direction's application: writes its data, closes after the last byte, reads what the peer sends. */
    private static final class App {
        final byte[] data = new byte[MIB];
        final byte[] received = new byte[MIB];
        final TcpConnection connection;
        final RingSendBuffer sendBuffer;
        final RingReceiveBuffer receiveBuffer;
        int written;
        int read;
        boolean closed;

        App(long seed, TcpConnection connection, RingSendBuffer sendBuffer, RingReceiveBuffer receiveBuffer) {
            new Random(seed).nextBytes(data);
            this.connection = connection;
            this.sendBuffer = sendBuffer;
            this.receiveBuffer = receiveBuffer;
        }

        private boolean mayWrite() {
            TcpState s = connection.state();
            return s == TcpState.ESTABLISHED || s == TcpState.CLOSE_WAIT;
        }

        /** Writes, reads and closes as far as it can; returns whether anything moved. */
        boolean run(long now) {
            int wrote = 0;
            if (mayWrite() && written < MIB) {
                wrote = sendBuffer.write(MemorySegment.ofArray(data), written, MIB - written);
                written += wrote;
            }
            int n = receiveBuffer.read(MemorySegment.ofArray(received), read, MIB - read);
            read += n;
            if (wrote > 0 || n > 0) {
                connection.poll(now);
            }
            if (written == MIB && !closed && mayWrite()) {
                connection.close(now);
                closed = true;
                return true;
            }
            return wrote > 0 || n > 0;
        }

        boolean canWrite() {
            return mayWrite() && written < MIB && sendBuffer.readableBytes() < sendBuffer.capacity();
        }
    }

    private static void transfer(long seed, double loss, double duplication, TcpSettings settings) {
        transfer(seed, loss, duplication, 0, settings);
    }

    private static ConnectionPair transfer(long seed, double loss, double duplication, double reordering,
            TcpSettings settings) {
        String what = "seed " + seed + ", loss " + loss + ", duplication " + duplication + ", reordering "
                + reordering + ", " + settings;
        ConnectionPair pair = new ConnectionPair(settings, 64 * 1024, seed, loss, duplication, reordering);
        App a = new App(seed, pair.a, pair.aSend, pair.aReceive);
        App b = new App(~seed, pair.b, pair.bSend, pair.bReceive);
        pair.open((int) (seed * 0x9E3779B9L), (int) (seed * 0x7F4A7C15L));
        for (int round = 0; round < 1_000_000; round++) {
            boolean moved = a.run(pair.now) | b.run(pair.now);
            pair.deliverAll();
            if (!moved && pair.aOut.size() == 0 && pair.bOut.size() == 0 && !a.canWrite() && !b.canWrite()
                    && !pair.advanceToNextDeadline()) {
                break; // nothing moves and no timer is armed: done (or stuck, which the asserts report)
            }
        }
        what += " (a " + describe(pair.a) + ", b " + describe(pair.b) + ", at " + pair.now / 1_000_000 + " ms)";
        assertEquals(MIB, b.read, what);
        assertEquals(MIB, a.read, what);
        assertArrayEquals(a.data, b.received, what);
        assertArrayEquals(b.data, a.received, what);
        assertEquals(TcpState.CLOSED, pair.a.state(), what); // TIME-WAIT ran out on the virtual clock
        assertEquals(TcpState.CLOSED, pair.b.state(), what);
        assertEquals(CloseCause.NONE, pair.a.closeCause(), what);
        assertEquals(CloseCause.NONE, pair.b.closeCause(), what);
        long retransmitted = pair.a.retransmittedSegments() + pair.b.retransmittedSegments();
        if (loss > 0) {
            assertTrue(pair.lost > 0 && retransmitted > 0, what);
        } else {
            assertEquals(0, retransmitted, what);
        }
        assertTrue(pair.now < ConnectionPair.ms(10 * 60_000), what + ": took " + pair.now / 1_000_000 + " ms");
        System.out.printf("1 MiB each way, seed %d, loss %.2f, duplication %.2f, reordering %.2f, %s, rack %s: %d"
                + " segments delivered, %d lost, %d reordered, %d retransmitted (%d fast), %d RTOs, %d SACK"
                + " recoveries, %d RACK losses, %d TLPs, %d spurious (%d undone), done at %d ms of virtual time"
                + " (TIME-WAIT included)%n", seed,
                loss, duplication, reordering, settings.ccAlgo(), pair.a.rackTlp(), pair.delivered, pair.lost,
                pair.reordered, retransmitted, pair.a.fastRetransmits() + pair.b.fastRetransmits(),
                pair.a.timeouts() + pair.b.timeouts(), pair.a.sackRecoveries() + pair.b.sackRecoveries(),
                pair.a.rackLosses() + pair.b.rackLosses(), pair.a.tailLossProbes() + pair.b.tailLossProbes(),
                pair.a.spuriousRetransmissions() + pair.b.spuriousRetransmissions(),
                pair.a.congestionUndos() + pair.b.congestionUndos(), pair.now / 1_000_000);
        return pair;
    }

    private static String describe(TcpConnection c) {
        return c.state() + "/" + c.closeCause() + " una " + c.sndUna() + " nxt " + c.sndNxt() + " wnd " + c.sndWnd()
                + " rcv " + c.rcvNxt() + " rwnd " + c.rcvWnd() + " rto# " + c.timeouts() + " deadline "
                + c.nextDeadline();
    }

    @Test
    void steadyStateSegmentInAckOutAllocatesNothing() {
        ConnectionPair pair = new ConnectionPair(TcpSettings.defaults(), 64 * 1024, 1, 0, 0);
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
        long bytes = allocatedPerRounds(round);
        assertEquals(0, bytes, "bytes allocated per round of two segments and their ACK");
        assertEquals(0, pair.aSend.readableBytes(), "everything sent was acknowledged");
        assertTrue(moved[0] > 2000L * chunk.byteSize());
        assertEquals(0, pair.a.retransmittedSegments());
    }

    @Test
    void steadyStateLossRecoveryWithSackAndRackAllocatesNothing() {
        ConnectionPair pair = new ConnectionPair(TcpSettings.defaults(), 64 * 1024, 1, 0, 0);
        pair.open(0xFFFF_0000, 12345);
        pair.deliverAll();
        assertTrue(pair.a.rackTlp());
        MemorySegment chunk = MemorySegment.ofArray(new byte[2 * 1448]); // one flight even at the smallest window
        MemorySegment sink = MemorySegment.ofArray(new byte[64 * 1024]);
        long[] moved = new long[2];
        Runnable round = () -> {
            pair.aSend.write(chunk, 0, (int) chunk.byteSize());
            pair.a.poll(pair.now);
            if (pair.aOut.size() > 1 && (moved[1]++ & 1) == 0) {
                pair.aOut.dropNext(); // the first segment is lost: SACK blocks, RACK, recovery, retransmission
            } else if (pair.aOut.size() > 1) {
                pair.aOut.dropLast(); // the last is lost: only the tail loss probe brings it back before the RTO
            }
            pair.deliverAll();
            for (int i = 0; i < 100 && pair.aSend.readableBytes() > 0 && pair.advanceToNextDeadline(); i++) {
                pair.deliverAll();
            }
            moved[0] += pair.bReceive.read(sink, 0, (int) sink.byteSize());
            pair.b.poll(pair.now);
            pair.deliverAll();
            pair.now += ConnectionPair.ms(1);
        };
        long bytes = allocatedPerRounds(round);
        assertEquals(0, bytes, "bytes allocated per round of two segments, one lost and recovered");
        assertTrue(pair.a.tailLossProbes() > 1000, "probes " + pair.a.tailLossProbes());
        assertEquals(0, pair.a.timeouts());
        assertEquals(0, pair.aSend.readableBytes(), "everything sent was acknowledged");
        assertTrue(moved[0] > 2000L * chunk.byteSize());
        assertTrue(pair.a.rackLosses() > 1000, "RACK marked " + pair.a.rackLosses());
        assertTrue(pair.a.sackRecoveries() > 1000, "recoveries " + pair.a.sackRecoveries());
        System.out.printf("steady state with one loss per round: %d retransmitted, %d RACK losses, %d SACK"
                + " recoveries, %d TLPs, %d RTOs%n", pair.a.retransmittedSegments(), pair.a.rackLosses(),
                pair.a.sackRecoveries(), pair.a.tailLossProbes(), pair.a.timeouts());
    }

    /** Bytes allocated by 16 rounds after 2000 rounds of warm-up (the first 2000 rounds' effects are asserted). */
    private static long allocatedPerRounds(Runnable round) {
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
        return AllocationMeter.allocatedInSteadyState(warmup, rounds);
    }
}
