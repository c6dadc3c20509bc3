package io.sluice.core.tcp.recovery;

import io.sluice.core.tcp.SeqNum;

/**
 * What the peer has selectively acknowledged above SND.UNA, and the RFC 6675 functions that drive SACK-based loss
 * recovery from it: {@link #isLost(int) IsLost}, {@link #pipe() SetPipe} and {@link #nextSeg(long) NextSeg}.
 *
 * <p><b>Storage.</b> SACKed ranges live in two sorted {@code int} arrays of fixed capacity (start inclusive, end
 * exclusive), merged on insert so that no two ranges overlap or touch; ranges are ordered by their distance from
 * SND.UNA, so sequence-number wrap-around needs no special case as long as the window is below 2^31 octets.
 *
 * <p><b>Overflow.</b> When a new range would need a slot and all are taken, the highest range is forgotten (or the
 * new range, if it is the highest). Forgetting SACK information is always safe: the data stays in the send buffer,
 * the sender may only retransmit something the peer already has, IsLost() and the pipe become more conservative
 * (less SACKed above a hole means less deemed lost, more deemed in flight), and RFC 2018 §8 makes the sender
 * prepared for a receiver that forgets ("reneges") anyway. Ranges near SND.UNA are kept because they decide the
 * next retransmissions. {@link #overflows()} counts the ranges forgotten.
 *
 * <p><b>Retransmitted data</b> is tracked as RFC 6675 does, by HighRxt: everything unSACKed between SND.UNA and
 * HighRxt was retransmitted in this recovery. The caller reports what it sent through {@link #markNextSegSent()}
 * (or {@link #onDataSent(int)} for new data sent outside NextSeg()).
 *
 * <p>Single-threaded; no method allocates.
 */
public final class SackScoreboard {

    /** Default number of ranges held: four SACK blocks per ACK leave holes far beyond this only under heavy loss. */
    public static final int DEFAULT_CAPACITY = 64;
    /** DupThresh of RFC 6675 §2 (and RFC 5681). */
    public static final int DUP_THRESH = 3;

    private final int capacity;
    private final int[] starts;
    private final int[] ends;
    private int count;
    private long sackedBytes;
    private final int smss;

    private int sndUna;
    private int sndNxt;

    private boolean inRecovery;
    private int recoveryPoint;
    private int highRxt;
    private boolean rescueDone;
    private int rescueRxt;

    private boolean lastAckHadDsack;
    private int dsackStart;
    private int dsackEnd;
    private long dsacks;
    private long ignoredBlocks;
    private long overflows;

    private int nextStart;
    private int nextEnd;
    private NextSegRule nextRule = NextSegRule.NONE;
    /** The chosen range is the first retransmission of a recovery (RFC 6675 §5 step 4.3). */
    private boolean nextIsEntry;
    /** End of the hole {@link #firstUnsackedFrom(long)} found, as an offset from SND.UNA. */
    private long scanHoleEnd;

    /**
     * @param capacity SACKed ranges held, at least 1
     * @param smss the sender's maximum segment size in octets, at least 1
     * @param iss the initial send sequence number; SND.UNA and SND.NXT start there
     */
    public SackScoreboard(int capacity, int smss, int iss) {
        if (capacity < 1) {
            throw new IllegalArgumentException("SACK scoreboard capacity must be at least 1, got " + capacity);
        }
        if (smss < 1) {
            throw new IllegalArgumentException("SMSS must be at least 1, got " + smss);
        }
        this.capacity = capacity;
        this.starts = new int[capacity];
        this.ends = new int[capacity];
        this.smss = smss;
        this.sndUna = iss;
        this.sndNxt = iss;
        this.highRxt = iss;
        this.recoveryPoint = iss;
    }

    /** Distance of {@code seq} above SND.UNA: the sort key of the ranges. */
    private long off(int seq) {
        return SeqNum.unsignedDistance(sndUna, seq);
    }

    // ---- input -------------------------------------------------------------------------------------------------

    /** New data went out: SND.NXT (RFC 6675's HighData + 1) moves up to {@code newSndNxt}. */
    public void onDataSent(int newSndNxt) {
        if (SeqNum.gt(newSndNxt, sndNxt)) {
            sndNxt = newSndNxt;
        }
    }

    /**
     * Takes one incoming ACK: the cumulative acknowledgement and its SACK blocks (RFC 2018 §3).
     *
     * <p>The first block is a D-SACK (RFC 2883 §4) when it lies at or below the cumulative ACK, or inside the
     * second block; it then reports data received twice, is counted ({@link #dsacks()}, {@link #lastAckHadDsack()})
     * and adds nothing to the scoreboard. Other blocks that are empty, end at or below SND.UNA or above SND.NXT are
     * ignored and counted ({@link #ignoredBlocks()}); a block starting below SND.UNA is trimmed to it.
     *
     * @param ack the segment's acknowledgement number (already checked against SND.NXT by the state machine; one
     *     above SND.NXT does not move SND.UNA)
     * @param blocks SACK blocks as pairs: left edge at {@code 2i}, right edge at {@code 2i + 1}
     * @param blockCount blocks in {@code blocks}, 0 to 4
     * @return octets newly SACKed by this ACK (a "duplicate ACK" in RFC 6675's sense when positive)
     */
    public long onAck(int ack, int[] blocks, int blockCount) {
        lastAckHadDsack = false;
        int first = 0;
        if (blockCount > 0 && isDsack(ack, blocks, blockCount)) {
            lastAckHadDsack = true;
            dsackStart = blocks[0];
            dsackEnd = blocks[1];
            dsacks++;
            first = 1;
        }
        if (SeqNum.gt(ack, sndUna) && SeqNum.le(ack, sndNxt)) {
            advance(ack);
        }
        long before = sackedBytes;
        for (int b = first; b < blockCount; b++) {
            addBlock(blocks[2 * b], blocks[2 * b + 1]);
        }
        return Math.max(0, sackedBytes - before); // an overflow may trade a range for a smaller one
    }

    private static boolean isDsack(int ack, int[] blocks, int blockCount) {
        int start = blocks[0];
        int end = blocks[1];
        if (SeqNum.le(end, ack)) {
            return true;
        }
        return blockCount >= 2 && SeqNum.ge(start, blocks[2]) && SeqNum.le(end, blocks[3]) && SeqNum.lt(start, end);
    }

    private void addBlock(int start, int end) {
        if (!SeqNum.lt(start, end) || SeqNum.le(end, sndUna) || SeqNum.gt(end, sndNxt)) {
            ignoredBlocks++;
            return;
        }
        insert(SeqNum.lt(start, sndUna) ? sndUna : start, end);
    }

    /** Adds [start, end), merging it with the ranges it overlaps or touches. */
    private void insert(int start, int end) {
        long s = off(start);
        long e = off(end);
        int i = 0;
        while (i < count && off(ends[i]) < s) {
            i++;
        }
        int k = i;
        while (k < count && off(starts[k]) <= e) {
            k++;
        }
        if (k > i) {
            // Ranges i .. k-1 overlap or touch the new one: replace them by their union.
            int mergedStart = off(starts[i]) < s ? starts[i] : start;
            int mergedEnd = off(ends[k - 1]) > e ? ends[k - 1] : end;
            for (int j = i; j < k; j++) {
                sackedBytes -= SeqNum.unsignedDistance(starts[j], ends[j]);
            }
            starts[i] = mergedStart;
            ends[i] = mergedEnd;
            sackedBytes += SeqNum.unsignedDistance(mergedStart, mergedEnd);
            int removed = k - i - 1;
            if (removed > 0) {
                System.arraycopy(starts, k, starts, i + 1, count - k);
                System.arraycopy(ends, k, ends, i + 1, count - k);
                count -= removed;
            }
            return;
        }
        if (count == capacity) {
            overflows++;
            if (i == count) {
                return; // the new range is the highest: it is the one forgotten
            }
            count--;
            sackedBytes -= SeqNum.unsignedDistance(starts[count], ends[count]);
        }
        System.arraycopy(starts, i, starts, i + 1, count - i);
        System.arraycopy(ends, i, ends, i + 1, count - i);
        starts[i] = start;
        ends[i] = end;
        count++;
        sackedBytes += SeqNum.unsignedDistance(start, end);
    }

    /** SND.UNA moves up to {@code ack}: ranges below it go, one straddling it is trimmed. */
    private void advance(int ack) {
        int gone = 0;
        while (gone < count && SeqNum.le(ends[gone], ack)) {
            sackedBytes -= SeqNum.unsignedDistance(starts[gone], ends[gone]);
            gone++;
        }
        if (gone > 0) {
            System.arraycopy(starts, gone, starts, 0, count - gone);
            System.arraycopy(ends, gone, ends, 0, count - gone);
            count -= gone;
        }
        if (count > 0 && SeqNum.lt(starts[0], ack)) {
            sackedBytes -= SeqNum.unsignedDistance(starts[0], ack);
            starts[0] = ack;
        }
        sndUna = ack;
        if (SeqNum.lt(highRxt, ack)) {
            highRxt = ack;
        }
    }

    // ---- recovery phases -------------------------------------------------------------------------------------

    /**
     * Loss recovery starts (RFC 6675 §5 step 4): RecoveryPoint = HighData, HighRxt = HighACK, and the first
     * retransmission is chosen (step 4.3): the first unSACKed segment above SND.UNA, whether or not IsLost() says
     * so, found like a {@link #nextSeg(long)} result in {@link #nextStart()} and {@link #nextEnd()}. When it is sent,
     * {@link #markNextSegSent()} sets both HighRxt and RescueRxt to its end, so that the rescue retransmission waits
     * until the first retransmission is acknowledged.
     *
     * @return {@link NextSegRule#RETRANSMIT_LOST}, or {@link NextSegRule#NONE} when nothing unSACKed is outstanding
     */
    public NextSegRule enterRecovery() {
        inRecovery = true;
        recoveryPoint = sndNxt;
        highRxt = sndUna;
        rescueDone = false;
        long s = firstUnsackedFrom(0);
        nextRule = NextSegRule.NONE;
        if (s >= off(sndNxt)) {
            return NextSegRule.NONE;
        }
        choose(NextSegRule.RETRANSMIT_LOST, s, Math.min(s + smss, scanHoleEnd));
        nextIsEntry = true;
        return nextRule;
    }

    /** Loss recovery ends (the caller saw SND.UNA reach {@link #recoveryPoint()}, or an RTO took over). */
    public void exitRecovery() {
        inRecovery = false;
        highRxt = sndUna;
    }

    /**
     * The retransmission timer expired (RFC 6675 §5.1): recovery by SACK ends, nothing counts as retransmitted
     * any more, RecoveryPoint becomes HighData so that no new recovery starts before SND.UNA reaches it, and the SACK
     * information is kept: {@link #nextSeg(long)} still picks the retransmissions and skips SACKed data.
     */
    public void onRetransmitTimeout() {
        exitRecovery();
        recoveryPoint = sndNxt;
    }

    /**
     * Forgets every SACKed range (RFC 2018 §8): after repeated timeouts the receiver may have discarded ("reneged
     * on") data it SACKed, so the sender must be ready to send all of it again.
     */
    public void forgetSacked() {
        count = 0;
        sackedBytes = 0;
    }

    /**
     * Whether a loss may start a new recovery (RFC 6675 §5 and §5.1): not while one is on, nor after an RTO or a
     * recovery until SND.UNA has reached the RecoveryPoint of then.
     */
    public boolean canEnterRecovery() {
        return !inRecovery && SeqNum.ge(sndUna, recoveryPoint);
    }

    // ---- RFC 6675 functions ------------------------------------------------------------------------------------

    /**
     * IsLost(SeqNum) of RFC 6675 §4: true when at least DupThresh discontiguous SACKed ranges lie above
     * {@code seq}, or more than (DupThresh - 1) * SMSS SACKed octets do. The scoreboard keeps ranges, not
     * segments, so "discontiguous SACKed sequences" are counted as separate ranges; full-sized segments SACKed
     * back to back are caught by the octet rule.
     */
    public boolean isLost(int seq) {
        long o = off(seq);
        long bytesAbove = 0;
        int rangesAbove = 0;
        for (int j = count - 1; j >= 0; j--) {
            long b = off(ends[j]);
            if (b <= o + 1) {
                break;
            }
            bytesAbove += b - Math.max(off(starts[j]), o + 1);
            rangesAbove++;
        }
        return lostBy(rangesAbove, bytesAbove);
    }

    private boolean lostBy(int rangesAbove, long bytesAbove) {
        return rangesAbove >= DUP_THRESH || bytesAbove > (long) (DUP_THRESH - 1) * smss;
    }

    /**
     * SetPipe() of RFC 6675 §4: the octets estimated in flight between SND.UNA and SND.NXT. Each unSACKed octet
     * counts once if IsLost() is false for it and once more if it lies below HighRxt (it was retransmitted). Within
     * one hole between SACKed ranges IsLost() gives the same answer for every octet (the SACKed data above it is the
     * same), so this works hole by hole: O(ranges).
     */
    public long pipe() {
        long pipe = 0;
        long bytesAbove = 0;
        int rangesAbove = 0;
        long retransmittedEnd = SeqNum.gt(highRxt, sndUna) ? off(highRxt) : 0;
        long holeEnd = off(sndNxt);
        for (int j = count; j >= 0; j--) {
            if (j < count) {
                bytesAbove += SeqNum.unsignedDistance(starts[j], ends[j]);
                rangesAbove++;
                holeEnd = off(starts[j]);
            }
            long holeStart = j == 0 ? 0 : off(ends[j - 1]);
            if (!lostBy(rangesAbove, bytesAbove)) {
                pipe += holeEnd - holeStart;
            }
            pipe += Math.max(0, Math.min(holeEnd, retransmittedEnd) - holeStart);
        }
        return pipe;
    }

    /**
     * NextSeg() of RFC 6675 §4: what to send next during loss recovery, or after an RTO to pick retransmissions
     * that skip SACKed data (outside those the sender just sends new data). The range is found in
     * {@link #nextStart()} and {@link #nextEnd()}; nothing changes until the caller sends it and calls
     * {@link #markNextSegSent()}.
     * Retransmissions stop at the end of their hole, so SACKed data is never sent again.
     *
     * @param newDataAllowed octets of unsent data that may be sent now (data queued, limited by the peer's window)
     * @return the rule that chose the range, {@link NextSegRule#NONE} when there is nothing to send
     */
    public NextSegRule nextSeg(long newDataAllowed) {
        nextRule = NextSegRule.NONE;
        nextIsEntry = false;
        long highSack = count == 0 ? 0 : off(ends[count - 1]);
        // The first unSACKed octet above HighRxt (rules 1.a and 3), and the end of its hole.
        long s = firstUnsackedFrom(SeqNum.gt(highRxt, sndUna) ? off(highRxt) : 0);
        long holeEnd = scanHoleEnd;
        boolean belowHighSack = s < highSack; // rule 1.b
        if (belowHighSack && isLost(sndUna + (int) s)) {
            return choose(NextSegRule.RETRANSMIT_LOST, s, Math.min(s + smss, holeEnd));
        }
        if (newDataAllowed > 0) {
            long from = off(sndNxt);
            return choose(NextSegRule.SEND_NEW, from, from + Math.min(smss, newDataAllowed));
        }
        if (belowHighSack) {
            return choose(NextSegRule.RETRANSMIT_UNSACKED, s, Math.min(s + smss, holeEnd));
        }
        if (inRecovery && !(rescueDone && SeqNum.le(sndUna, rescueRxt))) {
            return rescue();
        }
        return NextSegRule.NONE;
    }

    /**
     * The offset of the first unSACKed octet at or above offset {@code from}; the end of its hole goes to
     * {@link #scanHoleEnd} (SND.NXT when no SACKed range follows).
     */
    private long firstUnsackedFrom(long from) {
        long s = from;
        scanHoleEnd = off(sndNxt);
        for (int j = 0; j < count; j++) {
            long a = off(starts[j]);
            long b = off(ends[j]);
            if (b <= s) {
                continue;
            }
            if (a <= s) {
                s = b;
                continue;
            }
            scanHoleEnd = a;
            break;
        }
        return s;
    }

    /** Rule (4): one segment ending at the highest unSACKed octet below SND.NXT, if any. */
    private NextSegRule rescue() {
        long top = off(sndNxt);
        long holeStart;
        long holeEnd;
        if (count > 0 && off(ends[count - 1]) == top) {
            holeEnd = off(starts[count - 1]);
            holeStart = count > 1 ? off(ends[count - 2]) : 0;
        } else {
            holeEnd = top;
            holeStart = count > 0 ? off(ends[count - 1]) : 0;
        }
        if (holeEnd <= holeStart) {
            return NextSegRule.NONE;
        }
        return choose(NextSegRule.RESCUE, Math.max(holeStart, holeEnd - smss), holeEnd);
    }

    private NextSegRule choose(NextSegRule rule, long fromOffset, long toOffset) {
        nextRule = rule;
        nextIsEntry = false;
        nextStart = sndUna + (int) fromOffset;
        nextEnd = sndUna + (int) toOffset;
        return rule;
    }

    /**
     * The range the last {@link #nextSeg(long)} or {@link #enterRecovery()} returned was sent (RFC 6675 §5 step
     * C.3): a retransmission by rule (1) or (3) raises HighRxt to its end (the first one of a recovery RescueRxt
     * too, step 4.3); the rescue by rule (4) sets RescueRxt = RecoveryPoint and leaves HighRxt; new data raises
     * SND.NXT.
     */
    public void markNextSegSent() {
        switch (nextRule) {
            case RETRANSMIT_LOST, RETRANSMIT_UNSACKED -> {
                highRxt = SeqNum.max(highRxt, nextEnd);
                if (nextIsEntry) { // RFC 6675 §5 step 4.3
                    rescueDone = true;
                    rescueRxt = nextEnd;
                }
            }
            case RESCUE -> {
                rescueDone = true;
                rescueRxt = recoveryPoint;
            }
            case SEND_NEW -> onDataSent(nextEnd);
            case NONE -> { }
            default -> throw new AssertionError(nextRule);
        }
        nextRule = NextSegRule.NONE;
        nextIsEntry = false;
    }

    // ---- state -------------------------------------------------------------------------------------------------

    /** Start of the range the last {@link #nextSeg(long)} chose. */
    public int nextStart() {
        return nextStart;
    }

    /** End (exclusive) of the range the last {@link #nextSeg(long)} chose. */
    public int nextEnd() {
        return nextEnd;
    }

    /** SND.UNA as the scoreboard knows it. */
    public int sndUna() {
        return sndUna;
    }

    /** SND.NXT as the scoreboard knows it (RFC 6675's HighData + 1). */
    public int sndNxt() {
        return sndNxt;
    }

    /** Octets SACKed above SND.UNA. */
    public long sackedBytes() {
        return sackedBytes;
    }

    /** Whether anything above SND.UNA is SACKed. */
    public boolean hasSacked() {
        return count > 0;
    }

    /** One past the highest SACKed octet (SND.UNA when nothing is SACKed). */
    public int highSacked() {
        return count == 0 ? sndUna : ends[count - 1];
    }

    /** SACKed ranges held. */
    public int rangeCount() {
        return count;
    }

    /** Start of SACKed range {@code i} (0 is the lowest). */
    public int rangeStart(int i) {
        return starts[i];
    }

    /** End (exclusive) of SACKed range {@code i}. */
    public int rangeEnd(int i) {
        return ends[i];
    }

    /** Whether loss recovery is on (between {@link #enterRecovery()} and {@link #exitRecovery()}). */
    public boolean inRecovery() {
        return inRecovery;
    }

    /** RecoveryPoint: SND.NXT when recovery started; recovery is over once SND.UNA reaches it. */
    public int recoveryPoint() {
        return recoveryPoint;
    }

    /** HighRxt as one past the highest octet retransmitted in this recovery (SND.UNA when none). */
    public int highRxt() {
        return highRxt;
    }

    /** Whether the last ACK carried a D-SACK block (RFC 2883). */
    public boolean lastAckHadDsack() {
        return lastAckHadDsack;
    }

    /** Left edge of the last D-SACK block. */
    public int dsackStart() {
        return dsackStart;
    }

    /** Right edge (exclusive) of the last D-SACK block. */
    public int dsackEnd() {
        return dsackEnd;
    }

    /** D-SACK blocks received. */
    public long dsacks() {
        return dsacks;
    }

    /** SACK blocks ignored as invalid (empty, at or below SND.UNA, above SND.NXT). */
    public long ignoredBlocks() {
        return ignoredBlocks;
    }

    /** SACKed ranges forgotten because the scoreboard was full. */
    public long overflows() {
        return overflows;
    }
}
