package io.sluice.core.tcp.conn;

import static io.sluice.core.tcp.SeqNum.between;
import static io.sluice.core.tcp.SeqNum.gt;
import static io.sluice.core.tcp.SeqNum.inWindow;
import static io.sluice.core.tcp.SeqNum.le;
import static io.sluice.core.tcp.SeqNum.lt;

import io.sluice.core.tcp.NoBuffer;
import io.sluice.core.tcp.ReceiveBuffer;
import io.sluice.core.tcp.SendBuffer;
import io.sluice.core.tcp.cc.CongestionControl;
import io.sluice.core.tcp.cc.CongestionControls;
import io.sluice.core.tcp.recovery.NextSegRule;
import io.sluice.core.tcp.recovery.RttEstimator;
import io.sluice.core.tcp.recovery.SackScoreboard;
import io.sluice.core.tcp.recovery.TailLossProbe;
import io.sluice.core.wire.Tcp;
import io.sluice.core.wire.TcpOptions;
import java.lang.foreign.MemorySegment;

/**
 * One TCP connection: the transmission control block and the RFC 9293 state machine (§3.3.2 states, §3.10
 * event processing) with RFC 5961's defences and RFC 7323's options. Pure and single-threaded: it reads no clock
 * (every call takes {@code now} in nanoseconds), arms no timer (the caller arms {@link #nextDeadline()} on its
 * wheel and calls {@link #onTimer}), and emits segments through a {@link SegmentWriter}. Payload never passes
 * through it: received bytes go from the caller's packet straight into the {@link ReceiveBuffer}, and sent bytes
 * are named by their offset in the {@link SendBuffer}, which holds all unacknowledged data. Nothing allocates
 * once the SYN's options are known (the congestion control is made then, for the agreed segment size).
 *
 * <p>Sequence space of the send side: the send buffer's offset 0 is sequence number {@code bufferSeq} (SND.UNA,
 * or SND.UNA + 1 while our SYN is unacknowledged); our FIN, once sent, sits at {@code finSeq}, just after the last
 * data byte. Retransmission after a timeout is go-back-N: {@code rtxNext} runs from SND.UNA back up to SND.NXT
 * (the highest sequence sent), which stays where it was so late ACKs of the first transmission remain acceptable.
 *
 * <p>Loss recovery: without SACK, NewReno (RFC 5681, RFC 6582). With SACK, {@link SackRecovery} keeps the
 * scoreboard, the log of segments in flight, RACK and the tail loss probe; loss detection is RACK-TLP (RFC 8985)
 * or, with {@link TcpSettings#rackTlp()} off, RFC 6675's DupThresh and IsLost(); in recovery the pipe limits
 * sending, and no retransmission ever includes SACKed data. D-SACKs (RFC 2883) are sent for data received twice
 * and, received, undo the window reduction of a loss episode whose retransmissions all turn out needless. Sending
 * follows Nagle (RFC 1122 §4.2.3.4, {@link #setNoDelay}) and sender silly-window avoidance (RFC 9293
 * §3.8.6.2.1); keep-alive is optional ({@link #setKeepalive}); a listener's SYN cookie enters through
 * {@link #acceptCookie}.
 */
public final class TcpConnection {

    /** {@link #nextDeadline()} when no timer is armed. */
    public static final long NO_DEADLINE = Long.MAX_VALUE;

    private static final int MAX_WINDOW_FIELD = 0xFFFF;
    private static final int TIMESTAMP_OPTION_BYTES = 12;
    private static final long TIMESTAMP_TICK_NANOS = 1_000_000L;
    /** RFC 5961 §7 throttling: at most this many challenge ACKs per connection per interval. */
    static final int CHALLENGE_ACKS_PER_INTERVAL = 100;
    /** The throttling interval, one second. */
    static final long CHALLENGE_ACK_INTERVAL_NANOS = 1_000_000_000L;
    /** Bound on segments emitted by one call, so a bug in window arithmetic cannot spin forever. */
    private static final int MAX_SEGMENTS_PER_CALL = 1024;

    private final TcpSettings settings;
    private final SegmentWriter writer;
    private SendBuffer sendBuffer;
    private ReceiveBuffer receiveBuffer;
    private CongestionControl cc;
    private final RttEstimator rtt = new RttEstimator();
    private final MemorySegment options = MemorySegment.ofArray(new byte[Tcp.MAX_OPTIONS_LENGTH]);
    private final int[] sackEdges = new int[2 * TcpOptions.MAX_SACK_BLOCKS];

    private TcpState state = TcpState.CLOSED;
    private CloseCause closeCause = CloseCause.NONE;

    private int iss;
    private int sndUna;
    private int sndNxt;
    private int rtxNext;
    private int bufferSeq;
    private long sndWnd;
    private long maxSndWnd;
    private int sndWl1;
    private int sndWl2;
    private boolean finQueued;
    private boolean finSent;
    private int finSeq;

    private int irs;
    private int rcvNxt;
    private int rcvAdv;
    private int lastAckSent;
    private boolean peerFinPending;
    private int peerFinSeq;
    private int lastOutOfOrderSeq;
    /** A D-SACK block (RFC 2883) to report on the next segment: data received twice. */
    private boolean duplicatePending;
    private int duplicateLeft;
    private int duplicateRight;

    private int offeredShift = TcpOptions.NO_WINDOW_SCALE;
    private int sndShift;
    private int rcvShift;
    private boolean windowScaling;
    private boolean timestamps;
    private boolean sack;
    private int tsRecent;
    private int tsOffset;
    private int mssLimit;

    private long rtxDeadline = NO_DEADLINE;
    private long delayedAckDeadline = NO_DEADLINE;
    private long timeWaitDeadline = NO_DEADLINE;
    private int consecutiveTimeouts;
    private boolean handshakeRetransmitted;
    private boolean timing;
    private int timedSeq;
    private long timedAt;
    private boolean ackNow;
    private int segmentsUnacknowledged;
    private int duplicateAckCount;
    private boolean inFastRecovery;
    private int recover;

    /** SACK-based recovery state, made when SACK is agreed; null without SACK (NewReno then). */
    private SackRecovery recovery;
    /** RACK-TLP drives loss detection (SACK agreed and {@link TcpSettings#rackTlp()}). */
    private boolean rackOn;
    private long reorderDeadline = NO_DEADLINE;
    private long probeDeadline = NO_DEADLINE;
    private boolean probeRearm;
    private long swsDeadline = NO_DEADLINE;
    private boolean swsOverride;
    private boolean noDelay;

    // D-SACK undo (RFC 2883 §5, RFC 3708's idea): the retransmissions of the last loss episode not yet reported
    // back as duplicates; when all are, the episode was spurious and the window reduction is undone.
    private boolean undoPossible;
    private int undoLow;
    private int undoHigh;
    private int undoRetransmissions;

    private boolean keepalive;
    private long keepaliveIdle;
    private long keepaliveInterval;
    private int keepaliveProbeLimit;
    private int keepaliveUnanswered;
    private long lastHeard;

    private long challengeAcks;
    private long challengeAcksSuppressed;
    private long challengeWindowStart = Long.MIN_VALUE / 2;
    private int challengeAcksInWindow;
    private long retransmittedSegments;
    private long timeouts;
    private long outOfWindowSegments;
    private long pawsRejected;
    private long duplicateAcks;
    private long outOfOrderSegments;
    private long outOfOrderBytes;
    private long zeroWindowProbes;
    private long fastRetransmits;
    private long sackRecoveries;
    private long spuriousRetransmissions;
    private long congestionUndos;
    private long tailLossProbes;
    private long keepaliveProbes;

    /**
     * A closed connection over the given buffers; {@link #open} or {@link #listen} starts it.
     *
     * @param writer where emitted segments go
     * @param sendBuffer the bytes to send (offset 0 is SND.UNA)
     * @param receiveBuffer where received bytes go
     */
    public TcpConnection(TcpSettings settings, SegmentWriter writer, SendBuffer sendBuffer,
            ReceiveBuffer receiveBuffer) {
        this.settings = settings;
        this.writer = writer;
        this.sendBuffer = sendBuffer;
        this.receiveBuffer = receiveBuffer;
        this.mssLimit = Math.min(settings.mss(), TcpOptions.DEFAULT_MSS);
        this.cc = CongestionControls.create(settings.ccAlgo(), mssLimit);
    }

    // ---- user calls (RFC 9293 §3.10.1-§3.10.6) ----

    /** Active OPEN: sends a SYN offering the configured options and enters SYN-SENT. */
    public void open(long now, int initialSequence) {
        requireClosed("open");
        start(initialSequence);
        offeredShift = settings.windowScaling() ? windowShiftFor(receiveBuffer.capacity()) : TcpOptions.NO_WINDOW_SCALE;
        state = TcpState.SYN_SENT;
        sendSyn(now);
        timeSyn(now);
        rtxDeadline = now + rtt.rto();
    }

    /**
     * Passive OPEN: waits in LISTEN for a SYN. A listener with a SYN queue can make one connection per SYN, call
     * this and hand the SYN to {@link #onSegment}.
     */
    public void listen(int initialSequence) {
        requireClosed("listen");
        start(initialSequence);
        state = TcpState.LISTEN;
    }

    /**
     * Continues a handshake whose SYN-ACK a listener sent statelessly (a SYN cookie): puts this CLOSED connection
     * into SYN-RECEIVED as if it had sent that SYN-ACK itself, emitting nothing and arming no timer. The caller then
     * hands the ACK that validated the cookie to {@link #onSegment}, which moves the connection to ESTABLISHED and
     * takes any data on it. The SYN-ACK must have announced {@link #windowShiftFor} of the receive buffer's capacity
     * (when window scaling is agreed) and, with timestamps, TSval {@link #timestampValue}{@code (now, iss)}, so that
     * the values this connection sends later continue it. The peer's window is unknown until that ACK.
     *
     * @param iss our initial sequence number, the SYN-ACK's SEG.SEQ
     * @param irs the peer's initial sequence number
     * @param peerMss the MSS the SYN offered ({@link TcpOptions#DEFAULT_MSS} if none)
     * @param peerWindowShift the SYN's window shift, {@link TcpOptions#NO_WINDOW_SCALE} when it offered none
     * @param sack whether the SYN offered SACK (agreed if our settings offer it too)
     * @param timestamps whether the SYN carried timestamps (agreed if our settings offer them too)
     * @param tsRecent the SYN's TSval
     * @param advertisedWindow the window the SYN-ACK announced, in bytes
     */
    public void acceptCookie(long now, int iss, int irs, int peerMss, int peerWindowShift, boolean sack,
            boolean timestamps, int tsRecent, int advertisedWindow) {
        requireClosed("acceptCookie");
        start(iss);
        this.irs = irs;
        rcvNxt = irs + 1;
        rcvAdv = rcvNxt + advertisedWindow;
        lastAckSent = rcvNxt;
        sndWnd = 0; // the ACK's window sets it
        maxSndWnd = 0;
        sndWl1 = irs;
        windowScaling = settings.windowScaling() && peerWindowShift != TcpOptions.NO_WINDOW_SCALE;
        sndShift = windowScaling ? Math.min(peerWindowShift, TcpOptions.MAX_WINDOW_SHIFT) : 0;
        rcvShift = windowScaling ? windowShiftFor(receiveBuffer.capacity()) : 0;
        offeredShift = windowScaling ? rcvShift : TcpOptions.NO_WINDOW_SCALE;
        this.timestamps = settings.timestamps() && timestamps;
        this.tsRecent = this.timestamps ? tsRecent : 0;
        agree(peerMss, settings.sack() && sack);
        sndNxt = iss + 1;
        rtxNext = sndNxt;
        lastHeard = now;
        state = TcpState.SYN_RECEIVED;
    }

    /**
     * Turns Nagle's algorithm off ({@code true}, like {@code TCP_NODELAY}) or on (the default, RFC 1122
     * §4.2.3.4): with it on, a segment shorter than the MSS waits while data is unacknowledged. Call {@link #poll}
     * after turning it off to send what waited.
     */
    public void setNoDelay(boolean on) {
        noDelay = on;
    }

    /**
     * Keep-alive (RFC 1122 §4.2.3.6, RFC 9293 §3.8.4), off by default. When on, an ESTABLISHED or CLOSE-WAIT
     * connection with nothing in flight that has heard nothing from the peer for {@code idleNanos} sends a probe (an
     * ACK with SEG.SEQ = SND.NXT − 1 and no data, which the peer answers with an ACK), then one every
     * {@code intervalNanos} while unanswered; one {@code intervalNanos} after the last of {@code probes} unanswered
     * probes the connection sends an RST (a peer that is back but lost our state learns of it) and closes with
     * {@link CloseCause#TIMED_OUT}. Any acceptable segment from the peer counts as an answer.
     */
    public void setKeepalive(boolean enabled, long idleNanos, long intervalNanos, int probes) {
        if (enabled && (idleNanos <= 0 || intervalNanos <= 0 || probes < 1)) {
            throw new IllegalArgumentException("TCP keepalive: idle " + idleNanos + " ns and interval "
                    + intervalNanos + " ns must be positive and probes " + probes + " at least 1");
        }
        keepalive = enabled;
        keepaliveIdle = idleNanos;
        keepaliveInterval = intervalNanos;
        keepaliveProbeLimit = probes;
        keepaliveUnanswered = 0;
    }

    private void requireClosed(String what) {
        if (state != TcpState.CLOSED) {
            throw new IllegalStateException("TCP " + what + ": connection is " + state + ", not CLOSED");
        }
    }

    private void start(int initialSequence) {
        iss = initialSequence;
        sndUna = iss;
        sndNxt = iss;
        rtxNext = iss;
        bufferSeq = iss + 1;
        recover = iss;
        tsOffset = initialSequence; // RFC 7323 §5.4: a per-connection offset hides the clock
        closeCause = CloseCause.NONE;
    }

    /**
     * Sends what the send buffer holds beyond SND.NXT within min(cwnd, peer window), a window update if the
     * receive buffer drained enough (RFC 9293 §3.8.6.2.2), and any ACK owed. Call after the application wrote or
     * read.
     */
    public void poll(long now) {
        if (receiving() && windowGrowth() >= Math.min(receiveBuffer.capacity() / 2, mssLimit)) {
            ackNow = true;
        }
        flush(now);
    }

    /** CLOSE: our FIN follows the data already written (FIN-WAIT-1 or LAST-ACK); before SYN-RECEIVED: CLOSED. */
    public void close(long now) {
        switch (state) {
            case LISTEN, SYN_SENT -> closeWith(CloseCause.NONE);
            case SYN_RECEIVED -> finQueued = true; // FIN-WAIT-1 once established (§3.10.4)
            case ESTABLISHED -> {
                finQueued = true;
                state = TcpState.FIN_WAIT_1;
            }
            case CLOSE_WAIT -> {
                finQueued = true;
                state = TcpState.LAST_ACK;
            }
            default -> { } // already closing
        }
        flush(now);
    }

    /** ABORT: a reset to the peer if it may hold state (§3.10.5), then CLOSED. */
    public void abort(long now) {
        switch (state) {
            case SYN_RECEIVED, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT -> sendReset(sndNxt);
            default -> { }
        }
        closeWith(CloseCause.ABORTED);
    }

    // ---- timers (RFC 9293 §3.10.8) ----

    /**
     * The earliest time {@link #onTimer} has work: retransmission or persist, delayed ACK, TIME-WAIT end, RACK's
     * reordering timer, the tail loss probe, the sender's silly-window override, or a keep-alive probe.
     */
    public long nextDeadline() {
        long lossTimers = Math.min(reorderDeadline, Math.min(probeDeadline, swsDeadline));
        return Math.min(Math.min(rtxDeadline, Math.min(delayedAckDeadline, timeWaitDeadline)),
                Math.min(lossTimers, keepaliveDeadline()));
    }

    /** Runs every timer due at {@code now}; harmless when none is. */
    public void onTimer(long now) {
        if (timeWaitDeadline <= now) {
            closeWith(CloseCause.NONE);
            return;
        }
        if (keepaliveDeadline() <= now) {
            onKeepaliveTimer(now);
            if (state == TcpState.CLOSED) {
                return;
            }
        }
        if (delayedAckDeadline <= now) {
            delayedAckDeadline = NO_DEADLINE;
            ackNow = true;
        }
        if (swsDeadline <= now) {
            swsDeadline = NO_DEADLINE;
            swsOverride = true; // RFC 9293 §3.8.6.2.1 (d): send what the window allows, small or not
        }
        if (reorderDeadline <= now) {
            reorderDeadline = NO_DEADLINE;
            detectLossByTime(now);
        }
        // The probe timer stands in for the RTO timer while armed (RFC 8985 §7.2), so it wins when both are due.
        boolean probed = false;
        if (probeDeadline <= now) {
            probeDeadline = NO_DEADLINE;
            probed = sendTailLossProbe(now);
        }
        if (!probed && rtxDeadline <= now) {
            rtxDeadline = NO_DEADLINE;
            onRetransmissionTimer(now);
            if (state == TcpState.CLOSED) {
                return;
            }
        }
        flush(now);
        swsOverride = false;
    }

    /** When the next keep-alive probe (or the give-up) is due; only while idle with nothing in flight. */
    private long keepaliveDeadline() {
        if (!keepalive || (state != TcpState.ESTABLISHED && state != TcpState.CLOSE_WAIT) || sndNxt != sndUna
                || persisting()) {
            return NO_DEADLINE;
        }
        return lastHeard + keepaliveIdle + keepaliveUnanswered * keepaliveInterval;
    }

    private void onKeepaliveTimer(long now) {
        if (keepaliveUnanswered >= keepaliveProbeLimit) {
            sendReset(sndNxt);
            closeWith(CloseCause.TIMED_OUT);
            return;
        }
        keepaliveUnanswered++;
        keepaliveProbes++;
        emit(now, Tcp.ACK, sndNxt - 1, 0, 0, encodeOptions(now));
    }

    private void onRetransmissionTimer(long now) {
        boolean handshake = state == TcpState.SYN_SENT || state == TcpState.SYN_RECEIVED;
        if (handshake || sndNxt != sndUna) {
            if (++consecutiveTimeouts > settings.maxRetransmissions()) {
                if (!handshake) {
                    sendReset(sndNxt);
                }
                closeWith(CloseCause.TIMED_OUT);
                return;
            }
            timeouts++;
            timing = false; // Karn: nothing sent before now gives an unambiguous sample
            rtt.onTimeout();
            if (handshake) {
                handshakeRetransmitted = true;
                retransmittedSegments++;
                sendSyn(now);
            } else {
                cc.onRetransmitTimeout(now, sndNxt - sndUna);
                inFastRecovery = false;
                duplicateAckCount = 0;
                recover = sndNxt; // RFC 6582 §3.2 step 2: no fast retransmit for what the go-back resends
                if (recovery != null) {
                    if (consecutiveTimeouts > 1) {
                        recovery.forgetSacked(); // the repair after the last timeout drew nothing: reneging?
                    }
                    startUndoEpisode();
                    recovery.board.onRetransmitTimeout(); // RFC 6675 §5.1
                    recovery.tlp.cancelEpisode();
                    reorderDeadline = NO_DEADLINE;
                }
                if (rackOn) {
                    // RFC 8985 §6.3: everything not SACKed is lost; the lost marks drive the retransmissions.
                    recovery.markAllLost();
                    retransmitLost(now, recovery.firstLost());
                } else {
                    rtxNext = sndUna;
                    retransmitFirstUnacknowledged(now, true);
                }
            }
            rtxDeadline = now + rtt.rto();
        } else if (persisting()) {
            // Zero-window probe (§3.8.6.1): an old sequence number the peer must answer with its window.
            zeroWindowProbes++;
            rtt.onTimeout();
            emit(now, Tcp.ACK, sndUna - 1, 0, 0, encodeOptions(now));
            rtxDeadline = now + rtt.rto();
        }
    }

    // ---- segment arrival (RFC 9293 §3.10.7) ----

    /**
     * Processes one arriving segment that passed {@code Tcp.check} and whose options parsed.
     *
     * @param flags the control bits
     * @param seq SEG.SEQ
     * @param ack SEG.ACK (ignored without ACK)
     * @param window the window field as received (not yet scaled)
     * @param opts the segment's parsed options
     * @param payload memory holding the payload
     * @param payloadOffset where the payload starts in {@code payload}
     * @param payloadLength payload bytes (SEG.LEN without SYN and FIN)
     */
    public void onSegment(long now, int flags, int seq, int ack, int window, TcpOptions opts, MemorySegment payload,
            long payloadOffset, int payloadLength) {
        switch (state) {
            case CLOSED -> { } // the caller's closed-port handling answers with a reset
            case LISTEN -> onListen(now, flags, seq, ack, window, opts);
            case SYN_SENT -> onSynSent(now, flags, seq, ack, window, opts, payload, payloadOffset, payloadLength);
            default -> onSynchronized(now, flags, seq, ack, window, opts, payload, payloadOffset, payloadLength);
        }
        if (state != TcpState.CLOSED) {
            flush(now);
        }
    }

    private void onListen(long now, int flags, int seq, int ack, int window, TcpOptions opts) {
        if ((flags & Tcp.RST) != 0) {
            return;
        }
        if ((flags & Tcp.ACK) != 0) {
            sendReset(ack);
            return;
        }
        if ((flags & Tcp.SYN) == 0) {
            return;
        }
        // Data and FIN on a SYN are not queued: the peer sends them again once we are established.
        receiveSyn(seq, window, opts);
        sndNxt = iss + 1;
        rtxNext = sndNxt;
        state = TcpState.SYN_RECEIVED;
        sendSyn(now);
        timeSyn(now);
        rtxDeadline = now + rtt.rto();
    }

    private void onSynSent(long now, int flags, int seq, int ack, int window, TcpOptions opts,
            MemorySegment payload, long payloadOffset, int payloadLength) {
        boolean hasAck = (flags & Tcp.ACK) != 0;
        if (hasAck && (le(ack, iss) || gt(ack, sndNxt))) {
            if ((flags & Tcp.RST) == 0) {
                sendReset(ack);
            }
            return;
        }
        if ((flags & Tcp.RST) != 0) {
            if (hasAck) { // RFC 5961 §3.2: only a reset that acknowledges our SYN counts
                closeWith(CloseCause.REFUSED);
            }
            return;
        }
        if ((flags & Tcp.SYN) == 0) {
            return;
        }
        receiveSyn(seq, window, opts);
        if (!hasAck) { // simultaneous open
            state = TcpState.SYN_RECEIVED;
            sendSyn(now);
            return;
        }
        state = TcpState.ESTABLISHED;
        lastHeard = now;
        sndWl1 = seq;
        sndWl2 = ack;
        acknowledge(now, ack, opts);
        receiveText(now, seq + 1, payload, payloadOffset, payloadLength, (flags & Tcp.FIN) != 0);
        ackNow = true;
    }

    private void receiveSyn(int seq, int window, TcpOptions opts) {
        irs = seq;
        rcvNxt = seq + 1;
        rcvAdv = rcvNxt;
        lastAckSent = rcvNxt;
        sndWnd = window; // never scaled in a SYN (RFC 7323 §2.2)
        maxSndWnd = sndWnd;
        sndWl1 = seq;
        int peerMss = opts.hasMss() ? opts.mss() : TcpOptions.DEFAULT_MSS;
        windowScaling = settings.windowScaling() && opts.hasWindowScale();
        if (windowScaling) {
            sndShift = opts.windowShift();
            if (offeredShift == TcpOptions.NO_WINDOW_SCALE) {
                offeredShift = windowShiftFor(receiveBuffer.capacity());
            }
            rcvShift = offeredShift;
        } else {
            sndShift = 0;
            rcvShift = 0;
            offeredShift = TcpOptions.NO_WINDOW_SCALE;
        }
        timestamps = settings.timestamps() && opts.hasTimestamps();
        if (timestamps) {
            tsRecent = opts.timestampValue();
        }
        agree(peerMss, settings.sack() && opts.sackPermitted());
    }

    /** The segment size and SACK are agreed (timestamps already): congestion control and SACK recovery are made. */
    private void agree(int peerMss, boolean sackAgreed) {
        sack = sackAgreed;
        mssLimit = Math.max(64, Math.min(peerMss, settings.mss()));
        int smss = mssLimit - (timestamps ? TIMESTAMP_OPTION_BYTES : 0);
        // A fresh window for the agreed SMSS: the initial window is counted in segments of it (RFC 6928).
        cc = CongestionControls.create(settings.ccAlgo(), smss);
        recovery = sack ? new SackRecovery(smss, iss, SackRecovery.logCapacityFor(sendBuffer.capacity(), smss)) : null;
        rackOn = sack && settings.rackTlp();
    }

    private void onSynchronized(long now, int flags, int seq, int ack, int window, TcpOptions opts,
            MemorySegment payload, long payloadOffset, int payloadLength) {
        boolean rst = (flags & Tcp.RST) != 0;
        boolean syn = (flags & Tcp.SYN) != 0;
        boolean fin = (flags & Tcp.FIN) != 0;
        if (state == TcpState.SYN_RECEIVED && syn && (flags & Tcp.ACK) == 0 && !rst && seq == irs) {
            sendSyn(now); // the peer lost our SYN-ACK and sent its SYN again
            return;
        }
        if (state == TcpState.SYN_RECEIVED && syn && (flags & Tcp.ACK) != 0 && !rst && seq == irs
                && between(sndUna + 1, ack, sndNxt)) {
            syn = false; // simultaneous open: the peer's SYN-ACK acknowledges ours; its SYN is old news
            seq += 1;
        }
        if (timestamps && !rst) {
            if (!opts.hasTimestamps()) { // RFC 7323 §3.2: once agreed, on every segment
                pawsRejected++;
                return;
            }
            if (lt(opts.timestampValue(), tsRecent)) { // PAWS, RFC 7323 §5.3 R1
                pawsRejected++;
                ackNow = true;
                return;
            }
        }
        // §3.10.7.4 first: sequence number test.
        int rcvWnd = Math.max(0, rcvAdv - rcvNxt);
        int segLen = payloadLength + (syn ? 1 : 0) + (fin ? 1 : 0);
        boolean dataRefused = false;
        if (!acceptable(seq, segLen, rcvWnd)) {
            if (rcvWnd == 0 && seq == rcvNxt && !syn) {
                dataRefused = true; // zero window: take the ACK, window and RST, not the text (§3.10.7.4)
            } else {
                outOfWindowSegments++;
                if (!rst) {
                    ackNow = true;
                    if (payloadLength > 0 && le(seq + payloadLength, rcvNxt)) {
                        reportDuplicate(seq, seq + payloadLength); // all of it was received before
                    }
                    if (state == TcpState.TIME_WAIT && fin) {
                        timeWaitDeadline = now + 2 * settings.mslNanos(); // retransmitted FIN restarts 2 MSL
                    }
                }
                return;
            }
        }
        lastHeard = now; // keep-alive: the peer answered (RFC 1122 §4.2.3.6)
        keepaliveUnanswered = 0;
        if (timestamps && opts.hasTimestamps() && !lt(opts.timestampValue(), tsRecent) && le(seq, lastAckSent)) {
            tsRecent = opts.timestampValue(); // RFC 7323 §4.3
        }
        // Second: RST (RFC 5961 §3: only the exact RCV.NXT resets; elsewhere in the window, a challenge ACK).
        if (rst) {
            if (seq == rcvNxt) {
                closeWith(CloseCause.RESET);
            } else {
                challengeAck(now);
            }
            return;
        }
        // Fourth: SYN in a synchronized state (RFC 5961 §4).
        if (syn) {
            challengeAck(now);
            return;
        }
        // Fifth: ACK.
        if ((flags & Tcp.ACK) == 0) {
            return;
        }
        if (state == TcpState.SYN_RECEIVED) {
            if (!between(sndUna + 1, ack, sndNxt)) {
                sendReset(ack);
                return;
            }
            state = finQueued ? TcpState.FIN_WAIT_1 : TcpState.ESTABLISHED;
            sndWnd = (long) window << sndShift;
            maxSndWnd = Math.max(maxSndWnd, sndWnd);
            sndWl1 = seq;
            sndWl2 = ack;
        }
        if (!between(sndUna - (int) Math.min(maxSndWnd, Integer.MAX_VALUE), ack, sndNxt)) {
            challengeAck(now); // RFC 5961 §5: neither old within a window nor sent yet
            return;
        }
        long oldWnd = sndWnd;
        boolean advanced = gt(ack, sndUna);
        long newlySacked = 0;
        if (recovery != null) {
            boolean hasEcho = timestamps && opts.hasTimestamps() && opts.timestampEcho() != 0;
            newlySacked = recovery.onAck(ack, opts, now, hasEcho, opts.timestampEcho() - tsOffset);
        }
        if (advanced) {
            acknowledge(now, ack, opts);
        } else if (ack == sndUna && payloadLength == 0 && !fin && sndNxt != sndUna
                && ((long) window << sndShift) == oldWnd) {
            duplicateAcks++;
            if (recovery == null) {
                onDuplicateAck(now);
            }
        }
        if (recovery != null) {
            boolean pureDuplicate = !advanced && newlySacked == 0 && opts.sackBlocks() == 0 && payloadLength == 0;
            afterSackAck(now, ack, advanced, newlySacked, pureDuplicate);
        }
        // The window comes only from an ACK that is not old, and not from a segment older than the last update.
        if (!lt(ack, sndUna) && (lt(sndWl1, seq) || (sndWl1 == seq && le(sndWl2, ack)))) {
            sndWnd = (long) window << sndShift;
            maxSndWnd = Math.max(maxSndWnd, sndWnd);
            sndWl1 = seq;
            sndWl2 = ack;
        }
        boolean ourFinAcked = finSent && gt(sndUna, finSeq);
        switch (state) {
            case FIN_WAIT_1 -> {
                if (ourFinAcked) {
                    state = TcpState.FIN_WAIT_2;
                }
            }
            case CLOSING -> {
                if (ourFinAcked) {
                    enterTimeWait(now);
                }
            }
            case LAST_ACK -> {
                if (ourFinAcked) {
                    closeWith(CloseCause.NONE);
                    return;
                }
            }
            default -> { }
        }
        // Seventh and eighth: text and FIN, while the peer has not closed.
        if (state == TcpState.ESTABLISHED || state == TcpState.FIN_WAIT_1 || state == TcpState.FIN_WAIT_2) {
            if (dataRefused) {
                ackNow = true;
            } else {
                receiveText(now, seq, payload, payloadOffset, payloadLength, fin);
            }
        }
    }

    /** The four cases of RFC 9293 §3.10.7.4's sequence number test. */
    private boolean acceptable(int seq, int segLen, int rcvWnd) {
        if (segLen == 0) {
            return rcvWnd == 0 ? seq == rcvNxt : inWindow(seq, rcvNxt, rcvWnd);
        }
        return rcvWnd != 0 && (inWindow(seq, rcvNxt, rcvWnd) || inWindow(seq + segLen - 1, rcvNxt, rcvWnd));
    }

    /** SND.UNA advances to {@code ack}: frees acknowledged bytes, samples the RTT, grows the window. */
    private void acknowledge(long now, int ack, TcpOptions opts) {
        int acked = ack - sndUna;
        long flight = sndNxt - sndUna & 0xffff_ffffL;
        long sample = CongestionControl.NO_RTT_SAMPLE;
        if (timestamps && opts.hasTimestamps()) {
            long ticks = timestampNow(now) - opts.timestampEcho();
            if (ticks >= 0 && opts.timestampEcho() != 0) {
                sample = ticks * TIMESTAMP_TICK_NANOS;
            }
        } else if (timing && gt(ack, timedSeq)) {
            sample = now - timedAt;
        }
        if (timing && gt(ack, timedSeq)) {
            timing = false;
        }
        if (sample >= 0) {
            rtt.sample(sample);
        }
        boolean synAcked = sndUna == iss;
        boolean finAcked = finSent && gt(ack, finSeq);
        int dataAcked = acked - (synAcked ? 1 : 0) - (finAcked ? 1 : 0);
        if (dataAcked > 0) {
            sendBuffer.drop(dataAcked);
            bufferSeq += dataAcked;
        }
        sndUna = ack;
        if (lt(rtxNext, sndUna)) {
            rtxNext = sndUna;
        }
        consecutiveTimeouts = 0;
        if (synAcked && handshakeRetransmitted) {
            rtt.onHandshakeTimedOut();
            cc.onHandshakeRetransmission();
        }
        duplicateAckCount = 0;
        if (inFastRecovery && !lt(ack, recover)) { // the full ACK (RFC 6582 §3.2 step 3, RFC 6675 §5 step 2)
            inFastRecovery = false;
            cc.onRecoveryExit(now, sndNxt - sndUna & 0xffff_ffffL);
            if (recovery != null) {
                recovery.board.exitRecovery();
                recovery.rack.onRecoveryExit();
            }
        } else if (inFastRecovery) { // a partial ACK
            cc.onAck(now, Math.max(0, dataAcked), sample, flight, true);
            if (recovery == null) { // NewReno: the next hole is lost too (step 4); with SACK the pipe loop decides
                fastRetransmits++;
                retransmitFirstUnacknowledged(now, false);
            }
        } else if (dataAcked > 0) {
            cc.onAck(now, dataAcked, sample, flight, false);
        }
        // RFC 6298 §5.2 and §5.3: stop the timer when all is acknowledged, else restart it.
        rtxDeadline = sndNxt == sndUna ? NO_DEADLINE : now + rtt.rto();
        probeRearm = true; // RFC 8985 §7.2: an ACK that advances SND.UNA re-arms the probe timer
    }

    /**
     * Loss detection with SACK after an acceptable ACK: the tail loss probe's outcome (RFC 8985 §7.4), then RACK
     * (§6.2 step 5) or, without RACK, RFC 6675 §5's entry rule: DupThresh ACKs that newly SACK data, or IsLost() of
     * the first unacknowledged octet.
     */
    private void afterSackAck(long now, int ack, boolean advanced, long newlySacked, boolean pureDuplicate) {
        SackRecovery r = recovery;
        if (r.board.lastAckHadDsack()) {
            onDsack(now, r.board.dsackStart(), r.board.dsackEnd());
        }
        if (r.tlp.episodeOpen()) {
            boolean dsackForProbe = r.board.lastAckHadDsack() && lt(r.board.dsackStart(), r.tlp.endSeq());
            if (r.tlp.onAck(ack, dsackForProbe, pureDuplicate) == TailLossProbe.AckVerdict.LOSS_REPAIRED) {
                // §7.4.2: only the probe arrived, so it repaired a loss; the window reacts as to fast recovery.
                long flight = flightSize();
                cc.onEnterRecovery(now, flight);
                cc.onRecoveryExit(now, flight);
            }
        }
        if (rackOn) {
            detectLossByTime(now);
            return;
        }
        if (inFastRecovery || sndNxt == sndUna) {
            return;
        }
        if (!advanced && newlySacked > 0) {
            duplicateAckCount++;
        }
        if (r.board.canEnterRecovery()
                && (duplicateAckCount >= SackScoreboard.DUP_THRESH || r.board.isLost(sndUna))) {
            enterSackRecovery(now);
            if (r.board.enterRecovery() != NextSegRule.NONE) { // step 4.3: the first hole goes at once
                int start = r.board.nextStart();
                int end = r.board.nextEnd();
                retransmitRange(now, start, end);
                r.board.markNextSegSent();
                fastRetransmits++;
            }
        }
    }

    /** RACK's loss detection (RFC 8985 §6.2 step 5), after an ACK or when the reordering timer fires (§6.3). */
    private void detectLossByTime(long now) {
        if (!rackOn || sndNxt == sndUna) {
            reorderDeadline = NO_DEADLINE;
            return;
        }
        boolean recovering = inFastRecovery || lt(sndUna, recover);
        long wait = recovery.detectLoss(now, recovering, rtt.srtt());
        reorderDeadline = wait > 0 ? now + wait : NO_DEADLINE;
        if (recovery.rack.lastLost() > 0 && !recovering) {
            enterSackRecovery(now);
        }
    }

    /** A loss episode (SACK recovery or a timeout) begins: its retransmissions are counted for a later undo. */
    private void startUndoEpisode() {
        undoPossible = true;
        undoLow = sndUna;
        undoHigh = sndUna;
        undoRetransmissions = 0;
    }

    /**
     * A D-SACK reported [start, end) received twice. Within the last episode's retransmissions it means one of them
     * was not needed; once all were reported so, the loss was not real (reordering or a delayed ACK) and the window
     * reduction is undone ({@link CongestionControl#onSpuriousCongestionEvent}). RACK widens its reordering window
     * from the same D-SACK (RFC 8985 §6.2 step 4).
     */
    private void onDsack(long now, int start, int end) {
        if (!undoPossible || undoRetransmissions == 0 || lt(start, undoLow) || gt(end, undoHigh)) {
            return;
        }
        spuriousRetransmissions++;
        if (--undoRetransmissions == 0) {
            undoPossible = false;
            congestionUndos++;
            cc.onSpuriousCongestionEvent(now);
        }
    }

    /** Fast recovery starts with SACK: RecoveryPoint = SND.NXT and the window shrinks (RFC 6675 §5 step 4). */
    private void enterSackRecovery(long now) {
        inFastRecovery = true;
        recover = sndNxt;
        sackRecoveries++;
        startUndoEpisode();
        timing = false; // Karn: the timed segment may be sent again
        cc.onEnterRecovery(now, flightSize());
        recovery.tlp.cancelEpisode();
        probeDeadline = NO_DEADLINE;
    }

    private void receiveText(long now, int seq, MemorySegment payload, long payloadOffset, int payloadLength,
            boolean fin) {
        int segFinSeq = seq + payloadLength;
        long offset = payloadOffset;
        int length = payloadLength;
        int old = rcvNxt - seq;
        if (old > 0 && length > 0) { // the front was received before
            int skip = Math.min(old, length);
            reportDuplicate(seq, seq + skip);
            offset += skip;
            length -= skip;
            seq += skip;
            ackNow = true;
        }
        int room = Math.max(0, rcvAdv - seq);
        boolean finFits = fin;
        if (length > room) { // beyond the window we advertised: the tail and any FIN are not ours yet
            length = room;
            finFits = false;
        }
        if (length > 0) {
            if (seq == rcvNxt) {
                boolean hadHoles = receiveBuffer.outOfOrderRangeCount() > 0;
                int advanced = receiveBuffer.enqueue(payload, offset, length);
                rcvNxt += advanced;
                if (hadHoles || advanced != length) {
                    ackNow = true; // a hole filled (RFC 5681 §4.2) or the buffer ran out
                } else if (++segmentsUnacknowledged >= 2) {
                    ackNow = true; // RFC 9293 §3.8.6.3: at least every second segment
                } else if (delayedAckDeadline == NO_DEADLINE) {
                    delayedAckDeadline = now + settings.delayedAckNanos();
                }
            } else {
                outOfOrderBytes += receiveBuffer.enqueueOutOfOrder(seq - rcvNxt, payload, offset, length);
                lastOutOfOrderSeq = seq;
                outOfOrderSegments++;
                ackNow = true; // a duplicate ACK with SACK tells the sender at once
            }
        }
        if (finFits) {
            if (segFinSeq == rcvNxt) {
                receiveFin(now);
            } else if (gt(segFinSeq, rcvNxt)) {
                peerFinPending = true; // a FIN beyond a hole: counts when the hole fills
                peerFinSeq = segFinSeq;
            }
        }
        if (peerFinPending && peerFinSeq == rcvNxt) {
            receiveFin(now);
        }
    }

    /** RFC 2883 §4: with SACK, data that arrived again is reported in a D-SACK block first on the next ACK. */
    private void reportDuplicate(int left, int right) {
        if (sack) {
            duplicatePending = true;
            duplicateLeft = left;
            duplicateRight = right;
        }
    }

    private void receiveFin(long now) {
        peerFinPending = false;
        rcvNxt += 1;
        ackNow = true;
        switch (state) {
            case SYN_RECEIVED, ESTABLISHED -> state = TcpState.CLOSE_WAIT;
            case FIN_WAIT_1 -> {
                if (finSent && gt(sndUna, finSeq)) {
                    enterTimeWait(now);
                } else {
                    state = TcpState.CLOSING;
                }
            }
            case FIN_WAIT_2 -> enterTimeWait(now);
            default -> { }
        }
    }

    private void enterTimeWait(long now) {
        state = TcpState.TIME_WAIT;
        stopLossTimers();
        delayedAckDeadline = NO_DEADLINE;
        timeWaitDeadline = now + 2 * settings.mslNanos();
    }

    private void stopLossTimers() {
        rtxDeadline = NO_DEADLINE;
        reorderDeadline = NO_DEADLINE;
        probeDeadline = NO_DEADLINE;
        swsDeadline = NO_DEADLINE;
    }

    private void closeWith(CloseCause cause) {
        state = TcpState.CLOSED;
        closeCause = cause;
        stopLossTimers();
        delayedAckDeadline = NO_DEADLINE;
        timeWaitDeadline = NO_DEADLINE;
        ackNow = false;
    }

    /** RFC 5961 §7: a blind attacker must not turn us into an ACK generator, so challenge ACKs are rate limited. */
    private void challengeAck(long now) {
        if (now - challengeWindowStart >= CHALLENGE_ACK_INTERVAL_NANOS) {
            challengeWindowStart = now;
            challengeAcksInWindow = 0;
        }
        if (challengeAcksInWindow >= CHALLENGE_ACKS_PER_INTERVAL) {
            challengeAcksSuppressed++;
            return;
        }
        challengeAcksInWindow++;
        challengeAcks++;
        ackNow = true;
    }

    // ---- output ----

    private boolean sending() {
        return switch (state) {
            case ESTABLISHED, CLOSE_WAIT, FIN_WAIT_1, CLOSING, LAST_ACK -> true;
            default -> false;
        };
    }

    private boolean receiving() {
        return state == TcpState.ESTABLISHED || state == TcpState.FIN_WAIT_1 || state == TcpState.FIN_WAIT_2;
    }

    private boolean persisting() {
        return sending() && sndNxt == sndUna && sndWnd == 0 && gt(bufferSeq + sendBuffer.readableBytes(), sndNxt);
    }

    private void flush(long now) {
        if (state == TcpState.CLOSED) {
            return;
        }
        if (sending()) {
            transmit(now);
        }
        if (ackNow && state.isSynchronized()) {
            emit(now, Tcp.ACK, sndNxt, 0, 0, encodeOptions(now));
        }
        if (rtxDeadline == NO_DEADLINE && (sndNxt != sndUna || persisting())) {
            rtxDeadline = now + rtt.rto();
        }
        if (rackOn) {
            armTailLossProbe(now);
        }
    }

    /**
     * RFC 8985 §7.2: with data in flight, nothing SACKed and no recovery under way, the probe timer runs, re-armed
     * when new data goes out or SND.UNA advances; otherwise it is stopped.
     */
    private void armTailLossProbe(long now) {
        boolean arm = sending() && rtxDeadline != NO_DEADLINE && recovery.tlp.shouldArm(true,
                recovery.board.hasSacked(), inFastRecovery || lt(sndUna, recover), sndNxt != sndUna);
        if (!arm) {
            probeDeadline = NO_DEADLINE;
        } else if (probeRearm || probeDeadline == NO_DEADLINE) {
            long srtt = rtt.hasSample() ? rtt.srtt() : -1;
            probeDeadline = now + recovery.tlp.pto(srtt, recovery.log.size() == 1, now, rtxDeadline);
        }
        probeRearm = false;
    }

    /**
     * The probe timer fired (RFC 8985 §7.3): one new segment if the peer's window allows, else the last segment sent
     * again, whatever cwnd says; then the RTO timer restarts. Returns whether a probe went out.
     */
    private boolean sendTailLossProbe(long now) {
        if (!rackOn || !sending() || sndNxt == sndUna || inFastRecovery || lt(sndUna, recover)) {
            return false;
        }
        long windowRoom = sndWnd - flightSize();
        boolean newData = windowRoom > 0 && gt(bufferSeq + sendBuffer.readableBytes(), sndNxt)
                && !recovery.logFull();
        if (recovery.tlp.probeKind(newData) == TailLossProbe.ProbeKind.NEW_DATA
                && sendNew(now, windowRoom, windowRoom, true)) {
            recovery.tlp.onProbeSent(sndNxt, false);
        } else {
            int last = recovery.log.size() - 1;
            if (last < 0) {
                return false;
            }
            retransmitRange(now, recovery.log.startSeq(last), recovery.log.endSeq(last));
            recovery.tlp.onProbeSent(sndNxt, true);
        }
        tailLossProbes++;
        rtxDeadline = now + rtt.rto();
        return true;
    }

    /**
     * Sends what may go now: go-back-N retransmissions after a timeout, then new data within min(cwnd, SND.WND) and
     * the FIN. With RACK, or in SACK recovery, the pipe decides instead ({@link #transmitByPipe}).
     */
    private void transmit(long now) {
        if (rackOn || (recovery != null && inFastRecovery)) {
            transmitByPipe(now);
            return;
        }
        for (int i = 0; i < MAX_SEGMENTS_PER_CALL; i++) {
            if (lt(rtxNext, sndNxt)) {
                if (!goBack(now)) {
                    return;
                }
            } else if (!sendNew(now, cc.cwnd() - flightSize(), sndWnd - flightSize(), false)) {
                return;
            }
        }
    }

    /**
     * Sending while the pipe rules (RFC 6675 §5 step C, RFC 8985 §9.2): while cwnd − pipe has room, first the
     * retransmissions — RACK's lost marks, or without RACK the ranges NextSeg() picks — then new data.
     */
    private void transmitByPipe(long now) {
        long pipe = rackOn ? recovery.rackPipe() : recovery.board.pipe();
        for (int i = 0; i < MAX_SEGMENTS_PER_CALL; i++) {
            long cwndRoom = cc.cwnd() - pipe;
            long windowRoom = sndWnd - flightSize();
            if (rackOn) {
                int lost = recovery.firstLost();
                if (lost >= 0) {
                    long length = recovery.log.endSeq(lost) - recovery.log.startSeq(lost) & 0xffff_ffffL;
                    if (cwndRoom < Math.min(length, cc.smss())) {
                        return;
                    }
                    pipe += retransmitLost(now, lost);
                    continue;
                }
            } else {
                if (cwndRoom < cc.smss()) {
                    return;
                }
                long queued = Math.max(0, bufferSeq + sendBuffer.readableBytes() - sndNxt);
                NextSegRule rule = recovery.board.nextSeg(Math.max(0, Math.min(queued, windowRoom)));
                if (rule != NextSegRule.NONE && rule != NextSegRule.SEND_NEW) {
                    int start = recovery.board.nextStart();
                    int end = recovery.board.nextEnd();
                    retransmitRange(now, start, end);
                    recovery.board.markNextSegSent();
                    fastRetransmits++;
                    pipe += end - start & 0xffff_ffffL;
                    continue;
                }
            }
            int before = sndNxt;
            if (!sendNew(now, cwndRoom, windowRoom, false)) {
                return;
            }
            pipe += sndNxt - before & 0xffff_ffffL;
        }
    }

    /**
     * Sends one segment of new data, with the FIN if it empties a closed buffer, within both rooms. A short segment
     * waits when {@link #holdShortSegment} says so, unless this is a tail loss probe or the silly-window override
     * timer fired. With SACK a full segment log also holds new data back. Returns whether a segment went out.
     */
    private boolean sendNew(long now, long cwndRoom, long windowRoom, boolean probe) {
        if (recovery != null && recovery.logFull()) {
            return false;
        }
        int dataEnd = bufferSeq + sendBuffer.readableBytes();
        int optionsLength = encodeOptions(now);
        int cap = mssLimit - optionsLength;
        long queued = Math.max(0, dataEnd - sndNxt);
        int length = (int) Math.max(0, Math.min(Math.min(queued, cap), Math.min(cwndRoom, windowRoom)));
        boolean fin = finQueued && !finSent && sndNxt + length == dataEnd;
        if (length == 0 && !fin) {
            return false;
        }
        if (length < cap && !fin && !probe && !swsOverride && holdShortSegment(now, cap, queued, windowRoom)) {
            return false;
        }
        sendData(now, sndNxt, length, fin, optionsLength, false);
        return true;
    }

    /**
     * Whether a segment shorter than the MSS waits, by RFC 9293 §3.8.6.2.1's sender rules over the queued data D
     * and the usable peer window U (cwnd does not count: a segment cut short by cwnd alone goes). min(D, U) of a
     * full segment: it goes. All queued data fits the window: Nagle (RFC 1122 §4.2.3.4) holds it while anything
     * is unacknowledged, unless {@link #setNoDelay no-delay}. Cut short by the window: silly-window avoidance sends
     * it only if it is at least half the largest window the peer offered (with Nagle, only when nothing is
     * unacknowledged), else it waits for the window to open or, with nothing in flight to bring an ACK, for the
     * override timer.
     */
    private boolean holdShortSegment(long now, int cap, long queued, long windowRoom) {
        long usable = Math.min(queued, windowRoom);
        if (usable >= cap) {
            return false;
        }
        boolean idle = sndNxt == sndUna;
        if (queued <= windowRoom) {
            return !noDelay && !idle;
        }
        if ((noDelay || idle) && usable >= maxSndWnd / 2) {
            return false;
        }
        if (idle && swsDeadline == NO_DEADLINE) {
            swsDeadline = now + rtt.rto();
        }
        return true;
    }

    /** One step of go-back-N after a timeout, from {@code rtxNext} and past SACKed data; false when it must wait. */
    private boolean goBack(long now) {
        int seq = recovery == null ? rtxNext : recovery.unsackedFrom(rtxNext);
        if (!lt(seq, sndNxt)) {
            rtxNext = sndNxt;
            return true;
        }
        long room = Math.min(cc.cwnd(), sndWnd) - (seq - sndUna & 0xffff_ffffL);
        int next = retransmitPiece(now, seq, sndNxt, room);
        rtxNext = next;
        return next != seq;
    }

    /**
     * RFC 5681 §3.2 fast retransmit at the third duplicate ACK, with RFC 6582's guard: not for data sent before
     * the last recovery or timeout ended. Further duplicates inflate the window, which lets new data out.
     */
    private void onDuplicateAck(long now) {
        if (inFastRecovery) {
            cc.onDuplicateAck(now, true);
            return;
        }
        if (++duplicateAckCount == 3 && !lt(sndUna, recover) && !lt(rtxNext, sndNxt)) {
            inFastRecovery = true;
            recover = sndNxt;
            cc.onEnterRecovery(now, sndNxt - sndUna & 0xffff_ffffL);
            timing = false; // Karn: the timed segment may be the one sent again
            fastRetransmits++;
            retransmitFirstUnacknowledged(now, false);
        }
    }

    /**
     * Sends the segment at SND.UNA again, even into a closed window (§3.8.6.1). {@code goBack}: the retransmission
     * pointer moves past it (after a timeout); otherwise it is a single repair and new data continues at SND.NXT.
     */
    private void retransmitFirstUnacknowledged(long now, boolean goBack) {
        int seq = recovery == null ? sndUna : recovery.unsackedFrom(sndUna);
        int next = retransmitPiece(now, seq, sndNxt, Long.MAX_VALUE);
        if (goBack) {
            rtxNext = next;
        }
    }

    /** Sends the lost segment at log index {@code i} again (RACK, RFC 8985 §9.2); returns its length. */
    private long retransmitLost(long now, int i) {
        if (i < 0) {
            return 0;
        }
        int start = recovery.log.startSeq(i);
        int end = recovery.log.endSeq(i);
        retransmitRange(now, start, end);
        recovery.log.onRetransmitted(i, now); // done with its mark even if all of it turned out SACKed
        if (inFastRecovery) {
            fastRetransmits++;
        }
        return end - start & 0xffff_ffffL;
    }

    /** Sends [start, end) again in as many segments as it takes, skipping SACKed data. */
    private void retransmitRange(long now, int start, int end) {
        int seq = start;
        for (int i = 0; i < MAX_SEGMENTS_PER_CALL; i++) {
            if (recovery != null) {
                seq = recovery.unsackedFrom(seq);
            }
            if (!lt(seq, end)) {
                return;
            }
            int next = retransmitPiece(now, seq, end, Long.MAX_VALUE);
            if (next == seq) {
                return;
            }
            seq = next;
        }
    }

    /**
     * Sends one segment again from {@code seq} (not SACKed) towards {@code end} (at most SND.NXT; the FIN counts as
     * the octet at finSeq), stopping before SACKed data and within {@code room}. Returns the sequence number after
     * what it sent, {@code seq} if nothing.
     */
    private int retransmitPiece(long now, int seq, int end, long room) {
        int stop = recovery == null ? end : recovery.unsackedEnd(seq, end);
        boolean finInside = finSent && gt(stop, finSeq);
        int dataEnd = finInside ? finSeq : stop;
        int optionsLength = encodeOptions(now);
        int length = (int) Math.max(0, Math.min(Math.min(dataEnd - seq, mssLimit - optionsLength), room));
        boolean fin = finInside && seq + length == finSeq;
        if (length == 0 && !fin) {
            return seq;
        }
        sendData(now, seq, length, fin, optionsLength, true);
        return seq + length + (fin ? 1 : 0);
    }

    private void sendData(long now, int seq, int length, boolean fin, int optionsLength, boolean retransmission) {
        int end = seq + length;
        int flags = Tcp.ACK | (fin ? Tcp.FIN : 0)
                | (length > 0 && end == bufferSeq + sendBuffer.readableBytes() ? Tcp.PSH : 0);
        emit(now, flags, seq, seq - bufferSeq, length, optionsLength);
        int next = end + (fin ? 1 : 0);
        if (retransmission) {
            retransmittedSegments++;
            if (recovery != null) {
                recovery.onRetransmitted(seq, next, now);
                if (undoPossible && (inFastRecovery || lt(sndUna, recover))) {
                    undoRetransmissions++;
                    undoHigh = gt(next, undoHigh) ? next : undoHigh;
                }
            }
            return;
        }
        if (fin) {
            finSent = true;
            finSeq = end;
        }
        if (!timing && length > 0) { // Karn: time one segment sent once
            timing = true;
            timedSeq = seq;
            timedAt = now;
        }
        if (recovery != null) {
            recovery.onNewData(seq, next, now);
        }
        swsDeadline = NO_DEADLINE; // whatever waited for the window went
        probeRearm = true;
        sndNxt = next;
        rtxNext = next;
    }

    private void sendSyn(long now) {
        boolean synAck = state == TcpState.SYN_RECEIVED;
        int optionsLength = synAck
                ? TcpOptions.emitSyn(options, 0, settings.mss(), windowScaling ? rcvShift : TcpOptions.NO_WINDOW_SCALE,
                        sack, timestamps, timestampNow(now), tsRecent)
                : TcpOptions.emitSyn(options, 0, settings.mss(), offeredShift, settings.sack(), settings.timestamps(),
                        timestampNow(now), 0);
        int window = (int) Math.min(receiveBuffer.freeSpace(), MAX_WINDOW_FIELD);
        if (synAck) {
            rcvAdv = rcvNxt + window;
            lastAckSent = rcvNxt;
            ackNow = false;
        }
        writer.send(this, synAck ? Tcp.SYN | Tcp.ACK : Tcp.SYN, iss, synAck ? rcvNxt : 0, window, options,
                optionsLength, 0, 0);
        sndNxt = iss + 1;
        rtxNext = sndNxt;
    }

    private void timeSyn(long now) {
        timing = true;
        timedSeq = iss;
        timedAt = now;
    }

    private void sendReset(int seq) {
        writer.send(this, Tcp.RST, seq, 0, 0, options, 0, 0, 0);
    }

    /** Emits a non-SYN segment with ACK and the options already encoded. */
    private void emit(long now, int flags, int seq, int payloadOffset, int payloadLength, int optionsLength) {
        int window = advertisedWindow();
        writer.send(this, flags, seq, rcvNxt, window, options, optionsLength, payloadOffset, payloadLength);
        lastAckSent = rcvNxt;
        ackNow = false;
        duplicatePending = false; // reported once (RFC 2883 §4)
        segmentsUnacknowledged = 0;
        delayedAckDeadline = NO_DEADLINE;
    }

    /** The window field to send; the right edge never moves left (RFC 9293 §3.8.6.2.2). */
    private int advertisedWindow() {
        long free = Math.min(receiveBuffer.freeSpace(), (long) MAX_WINDOW_FIELD << rcvShift);
        int edge = rcvNxt + (int) (free >> rcvShift << rcvShift);
        if (gt(edge, rcvAdv)) {
            rcvAdv = edge;
        }
        return Math.max(0, rcvAdv - rcvNxt) >>> rcvShift;
    }

    /** How far the window's right edge could move right now (0 if it cannot). */
    private long windowGrowth() {
        long free = Math.min(receiveBuffer.freeSpace(), (long) MAX_WINDOW_FIELD << rcvShift);
        int edge = rcvNxt + (int) (free >> rcvShift << rcvShift);
        return Math.max(0, edge - rcvAdv);
    }

    /** Timestamps and SACK blocks of a non-SYN segment into {@link #options}; returns their length. */
    private int encodeOptions(long now) {
        int blocks = 0;
        if (sack) {
            if (duplicatePending) {
                sackEdges[0] = duplicateLeft;
                sackEdges[1] = duplicateRight;
                blocks = 1;
            }
            int ranges = receiveBuffer.outOfOrderRangeCount();
            int first = -1;
            for (int i = 0; i < ranges; i++) {
                int start = rcvNxt + receiveBuffer.outOfOrderRangeOffset(i);
                if (inWindow(lastOutOfOrderSeq, start, receiveBuffer.outOfOrderRangeLength(i))) {
                    first = i; // RFC 2018 §4: the block holding the latest segment goes first
                }
            }
            if (first >= 0) {
                blocks = putSackBlock(blocks, first);
            }
            for (int i = 0; i < ranges && blocks < TcpOptions.MAX_SACK_BLOCKS; i++) {
                if (i != first) {
                    blocks = putSackBlock(blocks, i);
                }
            }
        }
        return TcpOptions.emitSegment(options, 0, timestamps, timestampNow(now), tsRecent, sackEdges, blocks);
    }

    private int putSackBlock(int blocks, int range) {
        int left = rcvNxt + receiveBuffer.outOfOrderRangeOffset(range);
        sackEdges[2 * blocks] = left;
        sackEdges[2 * blocks + 1] = left + receiveBuffer.outOfOrderRangeLength(range);
        return blocks + 1;
    }

    private int timestampNow(long now) {
        return (int) (now / TIMESTAMP_TICK_NANOS) + tsOffset;
    }

    /**
     * The TSval a connection with initial sequence number {@code iss} sends at {@code now} (RFC 7323 §5.4: a
     * millisecond clock with a per-connection offset, the ISS): what a stateless SYN-ACK must carry so that the
     * connection {@link #acceptCookie} makes continues its timestamps without going back.
     */
    public static int timestampValue(long now, int iss) {
        return (int) (now / TIMESTAMP_TICK_NANOS) + iss;
    }

    /**
     * The window shift we announce for a receive buffer of {@code capacity} bytes (RFC 7323 §2.3): the smallest
     * that lets the 16-bit window field cover the buffer. The one place it is computed, so that a listener's
     * stateless SYN-ACK announces what {@link #acceptCookie} will use.
     */
    public static int windowShiftFor(int capacity) {
        int shift = 0;
        while (shift < TcpOptions.MAX_WINDOW_SHIFT && (capacity >> shift) > MAX_WINDOW_FIELD) {
            shift++;
        }
        return shift;
    }

    // ---- state for the output node, the CLI and tests ----

    /**
     * Lets go of the send and receive buffers once no more data can move: in TIME-WAIT or CLOSED. The connection
     * goes on answering its peer (TIME-WAIT's ACKs, with a zero window) from {@link NoBuffer}; the owner may
     * return the buffers at once.
     *
     * @throws IllegalStateException in any other state
     */
    public void releaseBuffers() {
        if (state != TcpState.TIME_WAIT && state != TcpState.CLOSED) {
            throw new IllegalStateException("TCP buffers are in use while the connection is " + state);
        }
        sendBuffer = NoBuffer.INSTANCE;
        receiveBuffer = NoBuffer.INSTANCE;
    }

    /** The send buffer, from which the writer copies payload. */
    public SendBuffer sendBuffer() {
        return sendBuffer;
    }

    /** The state. */
    public TcpState state() {
        return state;
    }

    /** Why the connection is CLOSED ({@link CloseCause#NONE} while open or after an orderly close). */
    public CloseCause closeCause() {
        return closeCause;
    }

    /** ISS. */
    public int iss() {
        return iss;
    }

    /** IRS. */
    public int irs() {
        return irs;
    }

    /** SND.UNA. */
    public int sndUna() {
        return sndUna;
    }

    /** SND.NXT: the highest sequence number sent so far, plus one. */
    public int sndNxt() {
        return sndNxt;
    }

    /** SND.WND in bytes (scaled). */
    public long sndWnd() {
        return sndWnd;
    }

    /** RCV.NXT. */
    public int rcvNxt() {
        return rcvNxt;
    }

    /** RCV.WND as last advertised: bytes from RCV.NXT to the advertised right edge. */
    public int rcvWnd() {
        return Math.max(0, rcvAdv - rcvNxt);
    }

    /** The largest segment (options included) either side may send. */
    public int mss() {
        return mssLimit;
    }

    /** Our receive window shift, 0 without window scaling. */
    public int rcvShift() {
        return rcvShift;
    }

    /** The peer's window shift, 0 without window scaling. */
    public int sndShift() {
        return sndShift;
    }

    /** Whether window scaling was agreed. */
    public boolean windowScaling() {
        return windowScaling;
    }

    /** Whether timestamps were agreed. */
    public boolean timestamps() {
        return timestamps;
    }

    /** TS.Recent: the timestamp to echo. */
    public int tsRecent() {
        return tsRecent;
    }

    /** Whether SACK was agreed. */
    public boolean sackPermitted() {
        return sack;
    }

    /** The congestion control. */
    public CongestionControl congestionControl() {
        return cc;
    }

    /** The RTO estimator. */
    public RttEstimator rttEstimator() {
        return rtt;
    }

    /** Challenge ACKs sent (RFC 5961). */
    public long challengeAcks() {
        return challengeAcks;
    }

    /** Segments sent again, for any reason: timeouts and the go-back after them, fast recovery, tail loss probes. */
    public long retransmittedSegments() {
        return retransmittedSegments;
    }

    /** Challenge ACKs not sent because of the RFC 5961 §7 limit. */
    public long challengeAcksSuppressed() {
        return challengeAcksSuppressed;
    }

    /** Retransmission timeouts. */
    public long timeouts() {
        return timeouts;
    }

    /** Segments failing the sequence number test. */
    public long outOfWindowSegments() {
        return outOfWindowSegments;
    }

    /** Segments dropped by PAWS or for missing timestamps. */
    public long pawsRejected() {
        return pawsRejected;
    }

    /** Duplicate ACKs received. */
    public long duplicateAcks() {
        return duplicateAcks;
    }

    /** Segments received beyond RCV.NXT. */
    public long outOfOrderSegments() {
        return outOfOrderSegments;
    }

    /** Payload bytes taken beyond a hole, in place in the receive buffer. */
    public long outOfOrderBytes() {
        return outOfOrderBytes;
    }

    /**
     * Retransmissions in fast recovery: NewReno's at the third duplicate ACK and at partial ACKs, with SACK every
     * repair chosen by NextSeg() or RACK's lost marks.
     */
    public long fastRetransmits() {
        return fastRetransmits;
    }

    /** Whether fast recovery is under way (NewReno, or with SACK RFC 6675's or RACK's). */
    public boolean inFastRecovery() {
        return inFastRecovery;
    }

    /** Zero-window probes sent. */
    public long zeroWindowProbes() {
        return zeroWindowProbes;
    }

    /** FlightSize: octets sent and not yet cumulatively acknowledged (SND.NXT − SND.UNA). */
    public long flightSize() {
        return sndNxt - sndUna & 0xffff_ffffL;
    }

    /** Octets the peer has selectively acknowledged above SND.UNA (0 without SACK). */
    public long sackedBytes() {
        return recovery == null ? 0 : recovery.board.sackedBytes();
    }

    /** Whether RACK-TLP drives loss detection on this connection (SACK agreed and enabled in the settings). */
    public boolean rackTlp() {
        return rackOn;
    }

    /** Nagle's algorithm is off. */
    public boolean noDelay() {
        return noDelay;
    }

    /** Loss recoveries started with SACK (RFC 6675 entry or a RACK loss). */
    public long sackRecoveries() {
        return sackRecoveries;
    }

    /** Segments RACK marked lost (RFC 8985 §6.2). */
    public long rackLosses() {
        return recovery == null ? 0 : recovery.rackLosses();
    }

    /** Retransmissions the peer reported back as duplicates with D-SACK (RFC 2883). */
    public long spuriousRetransmissions() {
        return spuriousRetransmissions;
    }

    /** Loss episodes found spurious by D-SACK whose window reduction was undone. */
    public long congestionUndos() {
        return congestionUndos;
    }

    /** Tail loss probes sent (RFC 8985 §7). */
    public long tailLossProbes() {
        return tailLossProbes;
    }

    /** Keep-alive probes sent. */
    public long keepaliveProbes() {
        return keepaliveProbes;
    }
}
