package io.sluice.core.tcp.conn;

import io.sluice.core.tcp.recovery.RttEstimator;
import io.sluice.core.wire.TcpOptions;
import java.util.SplittableRandom;

/**
 * Two connections wired back to back through their segment logs, with a virtual clock and seeded random loss,
 * duplication and reordering:
 * the seed of the later deterministic simulation. {@code a} opens actively, {@code b} listens. Nothing here
 * allocates after construction, so the allocation test can drive it too.
 */
final class ConnectionPair {

    /** Virtual time a delivered segment takes. */
    static final long HOP_NANOS = 50_000;

    final SegmentLog aOut = new SegmentLog(4096);
    final SegmentLog bOut = new SegmentLog(4096);
    final RingSendBuffer aSend;
    final RingReceiveBuffer aReceive;
    final RingSendBuffer bSend;
    final RingReceiveBuffer bReceive;
    final TcpConnection a;
    final TcpConnection b;
    private final TcpOptions scratch = new TcpOptions();
    private final SplittableRandom random;
    private final double loss;
    private final double duplication;
    private final double reordering;
    long now;
    long lost;
    long delivered;
    long reordered;

    ConnectionPair(TcpSettings settings, int bufferSize, long seed, double loss, double duplication) {
        this(settings, bufferSize, seed, loss, duplication, 0);
    }

    /** As above, and with probability {@code reordering} a segment arrives after the one sent behind it. */
    ConnectionPair(TcpSettings settings, int bufferSize, long seed, double loss, double duplication,
            double reordering) {
        aSend = new RingSendBuffer(bufferSize);
        aReceive = new RingReceiveBuffer(bufferSize);
        bSend = new RingSendBuffer(bufferSize);
        bReceive = new RingReceiveBuffer(bufferSize);
        a = new TcpConnection(settings, aOut, aSend, aReceive);
        b = new TcpConnection(settings, bOut, bSend, bReceive);
        random = new SplittableRandom(seed);
        this.loss = loss;
        this.duplication = duplication;
        this.reordering = reordering;
    }

    /** Opens {@code a} towards the listening {@code b} and runs the handshake through {@link #run}. */
    void open(int aIss, int bIss) {
        b.listen(bIss);
        a.open(now, aIss);
    }

    /** Delivers every waiting segment both ways (some lost), until neither side has anything to say. */
    void deliverAll() {
        for (int i = 0; i < 100_000 && (aOut.size() > 0 || bOut.size() > 0); i++) {
            deliverOne(aOut, b);
            deliverOne(bOut, a);
        }
    }

    private void deliverOne(SegmentLog from, TcpConnection to) {
        if (from.size() == 0) {
            return;
        }
        now += HOP_NANOS;
        if (loss > 0 && random.nextDouble() < loss) {
            from.dropNext();
            lost++;
            return;
        }
        if (reordering > 0 && from.size() >= 2 && random.nextDouble() < reordering) {
            from.deliverSwapped(to, now, scratch);
            delivered += 2;
            reordered++;
            return;
        }
        if (duplication > 0 && random.nextDouble() < duplication) {
            from.deliverCopy(to, now, scratch);
            delivered++;
        }
        from.deliver(to, now, scratch);
        delivered++;
    }

    /** Moves the clock to the earlier side's deadline and runs the timers; false when neither has one. */
    boolean advanceToNextDeadline() {
        long next = Math.min(a.nextDeadline(), b.nextDeadline());
        if (next == TcpConnection.NO_DEADLINE) {
            return false;
        }
        now = Math.max(now, next);
        a.onTimer(now);
        b.onTimer(now);
        return true;
    }

    /** Virtual milliseconds. */
    static long ms(long n) {
        return n * RttEstimator.MILLISECOND;
    }
}
