package io.sluice.core.tcp.conn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.core.tcp.recovery.RttEstimator;
import io.sluice.core.wire.Tcp;
import io.sluice.core.wire.TcpOptions;
import java.lang.foreign.MemorySegment;

/**
 * The fixture of the packet-level connection tests: a segment in, the exact segments out, with explicit time. The
 * peer is scripted by hand. Our ISS is 1000 and the peer's 5000; MSS 1000 both ways; our receive buffer is 8000
 * bytes, so the window is 8000 without scaling; options other than MSS are off unless a test turns them on.
 */
abstract class ScriptedConnectionTest {

    static final long MS = RttEstimator.MILLISECOND;
    static final int ISS = 1000;
    static final int IRS = 5000;
    static final int ACK = Tcp.ACK;
    static final TcpSettings PLAIN = TcpSettings.defaults().withMss(1000).withOptions(false, false, false);

    final SegmentLog out = new SegmentLog(256);
    final RingSendBuffer sendBuffer = new RingSendBuffer(64 * 1024);
    RingReceiveBuffer receiveBuffer = new RingReceiveBuffer(8000);
    final TcpOptions none = new TcpOptions();
    TcpConnection conn;
    long now = 0;

    TcpConnection make(TcpSettings settings) {
        conn = new TcpConnection(settings, out, sendBuffer, receiveBuffer);
        return conn;
    }

    static TcpOptions synOptions(int mss, int shift, boolean sack, boolean ts, int tsVal, int tsEcr) {
        MemorySegment bytes = MemorySegment.ofArray(new byte[40]);
        int length = TcpOptions.emitSyn(bytes, 0, mss, shift, sack, ts, tsVal, tsEcr);
        TcpOptions options = new TcpOptions();
        options.parse(bytes, 0, length, true);
        return options;
    }

    static TcpOptions timestampOptions(int tsVal, int tsEcr) {
        MemorySegment bytes = MemorySegment.ofArray(new byte[40]);
        int length = TcpOptions.emitSegment(bytes, 0, true, tsVal, tsEcr, new int[8], 0);
        TcpOptions options = new TcpOptions();
        options.parse(bytes, 0, length, false);
        return options;
    }

    void in(int flags, int seq, int ack, int window) {
        in(flags, seq, ack, window, none, new byte[0]);
    }

    void in(int flags, int seq, int ack, int window, byte[] data) {
        in(flags, seq, ack, window, none, data);
    }

    void in(int flags, int seq, int ack, int window, TcpOptions options, byte[] data) {
        conn.onSegment(now, flags, seq, ack, window, options, MemorySegment.ofArray(data), 0, data.length);
    }

    SegmentLog.Seg expect(int flags, int seq, int ack, int window, int payloadLength) {
        SegmentLog.Seg s = out.take();
        assertEquals(flags, s.flags(), "flags");
        assertEquals(seq, s.seq(), "seq");
        assertEquals(ack, s.ack(), "ack");
        assertEquals(window, s.window(), "window");
        assertEquals(payloadLength, s.payload().length, "payload length");
        return s;
    }

    void expectAck(int seq, int ack, int window) {
        expect(ACK, seq, ack, window, 0);
    }

    void expectNothing() {
        assertEquals(0, out.size(), () -> "segments sent, the first " + describe(out.take()));
    }

    private static String describe(SegmentLog.Seg s) {
        return "flags " + s.flags() + " seq " + s.seq() + " ack " + s.ack() + " window " + s.window() + " payload "
                + s.payload().length;
    }

    static byte[] bytes(int length, int first) {
        byte[] data = new byte[length];
        for (int i = 0; i < length; i++) {
            data[i] = (byte) (first + i);
        }
        return data;
    }

    /** A non-SYN segment's options: SACK blocks given as left, right, left, right... and no timestamps. */
    static TcpOptions sackOptions(int... edges) {
        MemorySegment bytes = MemorySegment.ofArray(new byte[40]);
        int length = TcpOptions.emitSegment(bytes, 0, false, 0, 0, edges, edges.length / 2);
        TcpOptions options = new TcpOptions();
        options.parse(bytes, 0, length, false);
        return options;
    }

    /** Active open to ESTABLISHED at time 10 ms; the peer's window is 6000. */
    void established() {
        established(PLAIN, false);
    }

    /**
     * Active open with {@code settings} to ESTABLISHED at time 10 ms (the RTT sample is 10 ms); the peer's window is
     * 6000, it offers SACK if {@code peerSack}, no timestamps and no window scaling.
     */
    void established(TcpSettings settings, boolean peerSack) {
        make(settings).open(now, ISS);
        out.clear();
        now += 10 * MS;
        in(Tcp.SYN | ACK, IRS, ISS + 1, 6000, synOptions(1000, TcpOptions.NO_WINDOW_SCALE, peerSack, false, 0, 0),
                new byte[0]);
        expectAck(ISS + 1, IRS + 1, 8000);
        assertEquals(TcpState.ESTABLISHED, conn.state());
    }
}
