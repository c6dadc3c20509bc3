package io.sluice.core.tcp.recovery;

import io.sluice.core.tcp.SeqNum;

/**
 * RACK, the time-based loss detection of RFC 8985 §6, for one connection: a segment is deemed lost when a segment
 * sent after it has been delivered and more than RACK.rtt + RACK.reo_wnd has passed since it was sent.
 *
 * <p>Per ACK the caller does, in this order (RFC 8985 §6.2):
 * <ol>
 *   <li>{@link #onDelivered} for every segment the ACK newly acknowledges, cumulatively or selectively, in
 *       ascending sequence order (steps 1 to 3: min RTT, the most recently sent delivered segment, reordering);</li>
 *   <li>{@link #endAck} with whether the ACK carried a D-SACK (step 4: reordering-window adaptation);</li>
 *   <li>{@link #detectLoss} over the segments still outstanding (step 5), which marks lost segments and returns
 *       the time after which to call it again (the RACK reordering timer, §6.3), or 0 for no timer.</li>
 * </ol>
 * When loss recovery ends the caller calls {@link #onRecoveryExit()}. The minimum RTT is the lowest sample seen
 * on the connection; RFC 8985 suggests a windowed minimum to follow route changes, which is left for later.
 *
 * <p>With RACK the segments to retransmit are the ones it marked lost; RFC 8985 §9.2 rules out RFC 6675's loss
 * marking alongside it (RFC 6675 does not notice lost retransmissions), so a state machine that uses RACK takes
 * its retransmissions from the lost marks and uses the {@link SackScoreboard} for SACK state and the pipe.
 *
 * <p>Single-threaded; allocation-free.
 */
public final class Rack {

    /** DupThresh of RFC 8985 §6.2 step 4: this many SACKed segments turn the reordering window off. */
    public static final int DUP_THRESH = 3;
    /** Recoveries without D-SACK after which the reordering window multiplier resets (§6.2 step 4). */
    public static final int REO_WND_PERSIST = 16;
    /** Cap of the multiplier; the window is bounded by SRTT anyway, this only keeps the product in range. */
    static final int MAX_REO_WND_MULT = 1 << 16;

    private boolean hasDelivered;
    private long xmitTs;
    private int endSeq;
    private long rtt;
    private long minRtt = Long.MAX_VALUE;

    private boolean hasFack;
    private int fack;
    private boolean reorderingSeen;

    private int reoWndMult = 1;
    private int reoWndPersist;
    private boolean inDsackRound;
    private int dsackRound;

    // The most recently sent segment delivered by the ACK being processed: RACK.rtt is its RTT.
    private boolean ackHasNewest;
    private long ackNewestXmit;
    private int ackNewestEnd;

    private int lastLost;

    /** RACK_sent_after of §6.2: t1/seq1 was sent after t2/seq2, by time and then by sequence. */
    static boolean sentAfter(long t1, int seq1, long t2, int seq2) {
        return t1 - t2 > 0 || (t1 == t2 && SeqNum.gt(seq1, seq2));
    }

    /**
     * A segment was newly acknowledged, cumulatively or selectively (§6.2 steps 1 to 3).
     *
     * @param segEndSeq one past the segment's last sequence number
     * @param xmitTime when the segment was last sent
     * @param retransmitted whether the segment was retransmitted
     * @param echoBeforeXmit for a retransmitted segment: the ACK's timestamp echo is older than the last
     *     transmission, so the ACK was for an earlier one (false without timestamps)
     * @param now the time the ACK arrived
     */
    public void onDelivered(int segEndSeq, long xmitTime, boolean retransmitted, boolean echoBeforeXmit, long now) {
        // Step 3: a segment below the highest delivered one that was never retransmitted arrived out of order.
        if (!hasFack || SeqNum.gt(segEndSeq, fack)) {
            fack = segEndSeq;
            hasFack = true;
        } else if (SeqNum.lt(segEndSeq, fack) && !retransmitted) {
            reorderingSeen = true;
        }
        long sample = now - xmitTime;
        // Step 2: a retransmitted segment's RTT is ambiguous if the echo or the sample itself show the ACK was
        // for an earlier transmission.
        if (retransmitted && (echoBeforeXmit || sample < minRtt)) {
            return;
        }
        if (sample < 0) {
            return;
        }
        minRtt = Math.min(minRtt, sample); // step 1
        if (!ackHasNewest || !sentAfter(ackNewestXmit, ackNewestEnd, xmitTime, segEndSeq)) {
            rtt = sample;
            ackHasNewest = true;
            ackNewestXmit = xmitTime;
            ackNewestEnd = segEndSeq;
        }
        if (!hasDelivered || sentAfter(xmitTime, segEndSeq, xmitTs, endSeq)) {
            xmitTs = xmitTime;
            endSeq = segEndSeq;
            hasDelivered = true;
        }
    }

    /**
     * The ACK has been processed (§6.2 step 4): a D-SACK widens the reordering window by one quarter of the min RTT,
     * once per round trip (until SND.UNA passes SND.NXT as it was then), and keeps it for 16 recoveries.
     */
    public void endAck(boolean dsack, int sndUna, int sndNxt) {
        ackHasNewest = false;
        if (inDsackRound && SeqNum.ge(sndUna, dsackRound)) {
            inDsackRound = false;
        }
        if (!inDsackRound && dsack) {
            inDsackRound = true;
            dsackRound = sndNxt;
            reoWndMult = Math.min(MAX_REO_WND_MULT, reoWndMult + 1);
            reoWndPersist = REO_WND_PERSIST;
        }
    }

    /** Fast or RTO recovery ended (§6.2 step 4): after 16 recoveries without D-SACK the window shrinks back. */
    public void onRecoveryExit() {
        reoWndPersist--;
        if (reoWndPersist <= 0) {
            reoWndMult = 1;
        }
    }

    /**
     * RACK.reo_wnd (§6.2 step 4): 0 while no reordering has been seen and the connection is in recovery or has
     * DupThresh segments SACKed (then DupThresh-like behaviour is as fast and safe); otherwise
     * min(reo_wnd_mult * min_RTT / 4, SRTT).
     *
     * @param srtt the smoothed RTT in nanoseconds ({@link RttEstimator#srtt()})
     */
    public long reoWnd(boolean inRecovery, int segsSacked, long srtt) {
        if (!reorderingSeen && (inRecovery || segsSacked >= DUP_THRESH)) {
            return 0;
        }
        if (minRtt == Long.MAX_VALUE) {
            return 0;
        }
        return Math.min(reoWndMult * (minRtt / 4), srtt);
    }

    /**
     * RACK_detect_loss (§6.2 step 5): marks lost every outstanding segment, neither SACKed nor already lost, that
     * was sent before the most recently delivered one and more than RACK.rtt + RACK.reo_wnd ago. Segments sent
     * before it but more recently than that are not lost yet; the returned time is when the last of them would be.
     *
     * @param segments the outstanding segments
     * @param now the current time
     * @param inRecovery whether the connection is in fast or RTO recovery
     * @param srtt the smoothed RTT in nanoseconds
     * @return nanoseconds after which to run detection again (the RACK reordering timer, §6.3), 0 for none
     */
    public long detectLoss(SentSegments segments, long now, boolean inRecovery, long srtt) {
        lastLost = 0;
        if (!hasDelivered) {
            return 0;
        }
        int n = segments.size();
        if (n == 0 || segments.allPlain() && !sentAfter(xmitTs, endSeq, segments.xmitTime(0), segments.endSeq(0))) {
            return 0; // sent in order and the oldest went after the last delivered one: no segment can be lost
        }
        int segsSacked = 0;
        for (int i = 0; i < n; i++) {
            segsSacked += segments.sacked(i) ? 1 : 0;
        }
        long reoWnd = reoWnd(inRecovery, segsSacked, srtt);
        long timeout = 0;
        for (int i = 0; i < n; i++) {
            if (segments.sacked(i) || segments.lost(i)) {
                continue;
            }
            long sent = segments.xmitTime(i);
            if (!sentAfter(xmitTs, endSeq, sent, segments.endSeq(i))) {
                continue;
            }
            long remaining = sent + rtt + reoWnd - now;
            if (remaining <= 0) {
                segments.markLost(i);
                lastLost++;
            } else {
                timeout = Math.max(timeout, remaining);
            }
        }
        return timeout;
    }

    /** Segments the last {@link #detectLoss} marked lost. */
    public int lastLost() {
        return lastLost;
    }

    /** RACK.rtt: the RTT of the most recently sent segment delivered by the last ACK with a valid sample. */
    public long rtt() {
        return rtt;
    }

    /** The minimum RTT seen, {@link Long#MAX_VALUE} before any sample. */
    public long minRtt() {
        return minRtt;
    }

    /** RACK.xmit_ts: send time of the most recently sent segment delivered so far. */
    public long xmitTs() {
        return xmitTs;
    }

    /** RACK.end_seq: end of the most recently sent segment delivered so far. */
    public int endSeq() {
        return endSeq;
    }

    /** Whether any segment has been delivered (before that RACK detects nothing). */
    public boolean hasDelivered() {
        return hasDelivered;
    }

    /** RACK.fack: the highest sequence number delivered (end of the highest delivered segment). */
    public int fack() {
        return fack;
    }

    /** RACK.reordering_seen. */
    public boolean reorderingSeen() {
        return reorderingSeen;
    }

    /** RACK.reo_wnd_mult. */
    public int reoWndMult() {
        return reoWndMult;
    }
}
