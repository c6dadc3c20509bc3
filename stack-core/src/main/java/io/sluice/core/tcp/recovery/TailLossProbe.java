package io.sluice.core.tcp.recovery;

import io.sluice.core.tcp.SeqNum;

/**
 * Tail Loss Probe (RFC 8985 §7) for one connection: when the last segments of a flight may be lost and no ACK
 * would arrive to let RACK notice, send one probe segment after a probe timeout (PTO) well before the RTO, so that
 * the ACK it draws reveals the loss (or that there was none).
 *
 * <p>The caller owns the timer: it asks {@link #shouldArm} whether to arm the PTO timer after sending new data or
 * on an ACK that advances SND.UNA, arms it for {@link #pto}, and when it fires sends what {@link #probeKind} says
 * and reports it with {@link #onProbeSent}, then re-arms the RTO timer. Each ACK goes to {@link #onAck}, which ends
 * the probe's episode and tells whether the probe repaired a loss (so congestion control must react, §7.4).
 *
 * <p>At most one probe is outstanding: while an episode is open ({@link #episodeOpen()}) no new probe is sent, as
 * the episode state can only account for one, and the RTO timer takes over if the probe draws nothing.
 * Single-threaded; allocation-free.
 */
public final class TailLossProbe {

    /** Worst-case delayed-ACK time WCDelAckT (RFC 8985 §7.2), the default TLP.max_ack_delay. */
    public static final long DEFAULT_MAX_ACK_DELAY = 200 * RttEstimator.MILLISECOND;
    /** PTO when there is no RTT sample yet (§7.2). */
    public static final long PTO_WITHOUT_SRTT = RttEstimator.SECOND;

    /** What the probe carries (§7.3). */
    public enum ProbeKind {
        /** The next unsent segment: unsent data exists and the peer's window allows it. */
        NEW_DATA,
        /** A retransmission of the highest-sequence segment sent. */
        RETRANSMIT_LAST
    }

    /** What an ACK meant for the probe's episode (§7.4). */
    public enum AckVerdict {
        /** No episode open, or the ACK does not reach the probe yet. */
        NONE,
        /** The episode is over and nothing was lost (new data probed, or original and probe both arrived). */
        NO_LOSS,
        /** The probe repaired a loss: the caller must apply a congestion response as for fast recovery. */
        LOSS_REPAIRED
    }

    private final long maxAckDelay;
    private boolean episodeOpen;
    private int endSeq;
    private boolean isRetrans;
    private long probes;

    /** A probe state with TLP.max_ack_delay = 200 ms. */
    public TailLossProbe() {
        this(DEFAULT_MAX_ACK_DELAY);
    }

    /** @param maxAckDelay the peer's maximum delayed-ACK time in nanoseconds, at least 0 */
    public TailLossProbe(long maxAckDelay) {
        if (maxAckDelay < 0) {
            throw new IllegalArgumentException("TLP max ACK delay must not be negative, got " + maxAckDelay);
        }
        this.maxAckDelay = maxAckDelay;
    }

    /**
     * Whether to arm the PTO timer (§7.2): only with SACK, nothing SACKed, not in loss recovery, data in flight, and
     * no probe outstanding.
     */
    public boolean shouldArm(boolean sackEnabled, boolean anySacked, boolean inRecovery, boolean dataInFlight) {
        return sackEnabled && !anySacked && !inRecovery && dataInFlight && !episodeOpen;
    }

    /**
     * The probe timeout (§7.2): 2 * SRTT, plus the maximum delayed-ACK time when a single segment is in flight (the
     * peer may hold its ACK that long), 1 s without an RTT sample, and never past the RTO timer's expiry.
     *
     * @param srtt the smoothed RTT in nanoseconds, negative when there is no sample yet
     * @param oneSegmentInFlight whether the flight is a single segment
     * @param now the current time
     * @param rtoExpiry when the retransmission timer would expire
     * @return nanoseconds from now to fire the probe timer, at least 0
     */
    public long pto(long srtt, boolean oneSegmentInFlight, long now, long rtoExpiry) {
        long pto;
        if (srtt >= 0) {
            pto = 2 * srtt;
            if (oneSegmentInFlight) {
                pto += maxAckDelay;
            }
        } else {
            pto = PTO_WITHOUT_SRTT;
        }
        long untilRto = rtoExpiry - now;
        return Math.max(0, Math.min(pto, untilRto));
    }

    /** What to send when the PTO fires (§7.3): new data if there is some the window allows, else the last segment. */
    public ProbeKind probeKind(boolean newDataSendable) {
        return newDataSendable ? ProbeKind.NEW_DATA : ProbeKind.RETRANSMIT_LAST;
    }

    /**
     * The probe went out (§7.3): the episode lasts until an ACK reaches TLP.end_seq, SND.NXT after the probe.
     *
     * @param sndNxtAfterProbe SND.NXT after sending the probe
     * @param retransmission whether the probe was a retransmission
     */
    public void onProbeSent(int sndNxtAfterProbe, boolean retransmission) {
        episodeOpen = true;
        endSeq = sndNxtAfterProbe;
        isRetrans = retransmission;
        probes++;
    }

    /**
     * An ACK arrived (§7.4). Once it reaches TLP.end_seq: a probe of new data ends the episode with no loss; a
     * retransmitted probe ends it with no loss when a D-SACK reports the probe (or the original) as a duplicate or
     * when the ACK is a pure duplicate (no SACK, no new data acknowledged): both copies arrived. An ACK beyond
     * TLP.end_seq that is neither means only the probe arrived: it repaired a loss.
     *
     * @param ack the acknowledgement number
     * @param dsackForProbe the ACK carries a D-SACK covering the probe's data
     * @param pureDupAck the ACK acknowledges nothing new and carries no SACK information
     */
    public AckVerdict onAck(int ack, boolean dsackForProbe, boolean pureDupAck) {
        if (!episodeOpen || SeqNum.lt(ack, endSeq)) {
            return AckVerdict.NONE;
        }
        if (!isRetrans || dsackForProbe) {
            episodeOpen = false;
            return AckVerdict.NO_LOSS;
        }
        if (SeqNum.gt(ack, endSeq)) {
            episodeOpen = false;
            return AckVerdict.LOSS_REPAIRED;
        }
        if (pureDupAck) {
            episodeOpen = false;
            return AckVerdict.NO_LOSS;
        }
        return AckVerdict.NONE;
    }

    /** An RTO or the start of recovery ends any open episode: the probe's outcome no longer matters. */
    public void cancelEpisode() {
        episodeOpen = false;
    }

    /** Whether a probe is outstanding (TLP.end_seq is set). */
    public boolean episodeOpen() {
        return episodeOpen;
    }

    /** TLP.end_seq of the open episode. */
    public int endSeq() {
        return endSeq;
    }

    /** TLP.is_retrans of the open episode. */
    public boolean isRetransmission() {
        return isRetrans;
    }

    /** Probes sent. */
    public long probes() {
        return probes;
    }
}
