package io.sluice.core.tcp.conn;

import static io.sluice.core.tcp.SeqNum.ge;
import static io.sluice.core.tcp.SeqNum.gt;
import static io.sluice.core.tcp.SeqNum.le;
import static io.sluice.core.tcp.SeqNum.lt;

import io.sluice.core.tcp.recovery.Rack;
import io.sluice.core.tcp.recovery.SackScoreboard;
import io.sluice.core.tcp.recovery.SentSegmentLog;
import io.sluice.core.tcp.recovery.TailLossProbe;
import io.sluice.core.wire.TcpOptions;

/**
 * The bookkeeping of one connection's SACK-based loss recovery, made when SACK is agreed: the RFC 6675 scoreboard
 * (SACKed ranges, pipe, NextSeg), the log of segments in flight with RACK's per-segment state (RFC 8985 §6), the
 * RACK detector and the tail loss probe state (§7). It only records and answers; {@link TcpConnection} decides what
 * to send and when. Allocation-free after construction.
 */
final class SackRecovery {

    private static final long MILLISECOND = 1_000_000L;
    private static final int MIN_LOG = 64;
    private static final int MAX_LOG = 1 << 14;

    final SackScoreboard board;
    final SentSegmentLog log;
    final Rack rack = new Rack();
    final TailLossProbe tlp = new TailLossProbe();
    private final int logCapacity;
    private final int[] blocks = new int[2 * TcpOptions.MAX_SACK_BLOCKS];
    private final int[] sorted = new int[2 * TcpOptions.MAX_SACK_BLOCKS];
    private long rackLosses;

    /**
     * @param smss the sender's segment size
     * @param iss our initial sequence number; the SYN at {@code iss} counts as sent
     * @param logCapacity segments the flight may hold, a power of two
     */
    SackRecovery(int smss, int iss, int logCapacity) {
        this.board = new SackScoreboard(SackScoreboard.DEFAULT_CAPACITY, smss, iss);
        this.log = new SentSegmentLog(logCapacity);
        this.logCapacity = logCapacity;
        board.onDataSent(iss + 1);
    }

    /**
     * Log size for a send buffer: room for the whole buffer in half-MSS segments (Nagle keeps most segments full),
     * a power of two from 64 to 16384 (about 20 bytes each).
     */
    static int logCapacityFor(int sendBufferCapacity, int smss) {
        long segments = 2L * sendBufferCapacity / Math.max(1, smss) + 2;
        int bounded = (int) Math.max(MIN_LOG, Math.min(MAX_LOG, segments));
        return Integer.highestOneBit(bounded - 1) << 1;
    }

    /** Whether the log is full: no new segment may go out until an ACK frees a slot. */
    boolean logFull() {
        return log.size() == logCapacity;
    }

    /** New data [start, end) (a FIN counts as its last octet) went out for the first time. */
    void onNewData(int start, int end, long now) {
        log.append(start, end, now);
        board.onDataSent(end);
    }

    /** [start, end) was sent again: the logged segments it overlaps carry the new send time and are not lost. */
    void onRetransmitted(int start, int end, long now) {
        for (int i = log.indexOf(start); i < log.size() && lt(log.startSeq(i), end); i++) {
            log.onRetransmitted(i, now);
        }
    }

    /**
     * An acceptable ACK, before SND.UNA moves: the scoreboard takes the cumulative ACK and the SACK blocks, and RACK
     * every segment the ACK newly delivers, in ascending order (RFC 8985 §6.2 steps 1 to 4).
     *
     * @param echoMs the ACK's timestamp echo as milliseconds of our clock, valid when {@code hasEcho}
     * @return octets newly SACKed
     */
    long onAck(int ack, TcpOptions opts, long now, boolean hasEcho, int echoMs) {
        int count = opts.sackBlocks();
        for (int i = 0; i < count; i++) {
            blocks[2 * i] = opts.sackLeft(i);
            blocks[2 * i + 1] = opts.sackRight(i);
        }
        long newlySacked = board.onAck(ack, blocks, count);
        boolean dsack = board.lastAckHadDsack();
        for (int i = 0; i < log.size() && le(log.endSeq(i), ack); i++) {
            if (!log.sacked(i)) {
                deliver(i, now, hasEcho, echoMs);
            }
        }
        log.acknowledge(ack);
        int sortedCount = sortBlocks(dsack ? 1 : 0, count, ack);
        for (int b = 0; b < sortedCount; b++) {
            int start = sorted[2 * b];
            int end = sorted[2 * b + 1];
            for (int i = log.indexOf(start); i < log.size() && le(log.endSeq(i), end); i++) {
                if (ge(log.startSeq(i), start) && log.sack(log.startSeq(i), log.endSeq(i)) > 0) {
                    deliver(i, now, hasEcho, echoMs);
                }
            }
        }
        rack.endAck(dsack, board.sndUna(), board.sndNxt());
        return newlySacked;
    }

    /** Blocks {@code from..count-1} into {@link #sorted} by left edge (insertion sort of at most four). */
    private int sortBlocks(int from, int count, int ack) {
        int n = 0;
        for (int b = from; b < count; b++) {
            int start = blocks[2 * b];
            int end = blocks[2 * b + 1];
            if (!lt(start, end) || le(end, ack)) {
                continue;
            }
            int j = n;
            while (j > 0 && gt(sorted[2 * (j - 1)], start)) {
                sorted[2 * j] = sorted[2 * (j - 1)];
                sorted[2 * j + 1] = sorted[2 * (j - 1) + 1];
                j--;
            }
            sorted[2 * j] = start;
            sorted[2 * j + 1] = end;
            n++;
        }
        return n;
    }

    private void deliver(int i, long now, boolean hasEcho, int echoMs) {
        long xmit = log.xmitTime(i);
        boolean retransmitted = log.retransmitted(i);
        boolean echoBeforeXmit = retransmitted && hasEcho && (int) (xmit / MILLISECOND) - echoMs > 0;
        rack.onDelivered(log.endSeq(i), xmit, retransmitted, echoBeforeXmit, now);
    }

    /**
     * RACK loss detection (RFC 8985 §6.2 step 5) over the flight.
     *
     * @return nanoseconds until the reordering timer should run detection again, 0 for none
     */
    long detectLoss(long now, boolean inRecovery, long srtt) {
        long timeout = rack.detectLoss(log, now, inRecovery, srtt);
        rackLosses += rack.lastLost();
        return timeout;
    }

    /** Forgets what the peer SACKed: after repeated timeouts it may have reneged (RFC 2018 §8). */
    void forgetSacked() {
        board.forgetSacked();
        log.forgetSacked();
    }

    /** After a retransmission timeout every segment not SACKed is lost (RFC 8985 §6.3). */
    void markAllLost() {
        for (int i = 0; i < log.size(); i++) {
            if (!log.sacked(i)) {
                log.markLost(i);
            }
        }
    }

    /** Index of the lowest segment marked lost and not SACKed, -1 for none. */
    int firstLost() {
        if (log.allPlain()) {
            return -1;
        }
        for (int i = 0; i < log.size(); i++) {
            if (log.lost(i) && !log.sacked(i)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The pipe with RACK's marks (RFC 8985 §9.2 with RFC 6675's SetPipe idea): octets of segments neither SACKed nor
     * lost. A retransmitted segment counts once, as its lost mark went when it was sent again.
     */
    long rackPipe() {
        if (log.allPlain()) { // nothing SACKed or lost: every octet from the first segment to the last is in flight
            return log.size() == 0 ? 0 : log.endSeq(log.size() - 1) - log.startSeq(0) & 0xffff_ffffL;
        }
        long pipe = 0;
        for (int i = 0; i < log.size(); i++) {
            if (!log.sacked(i) && !log.lost(i)) {
                pipe += log.endSeq(i) - log.startSeq(i) & 0xffff_ffffL;
            }
        }
        return pipe;
    }

    /** {@code seq}, or the end of the SACKed range holding it: the first octet at or above it not SACKed. */
    int unsackedFrom(int seq) {
        for (int j = 0; j < board.rangeCount(); j++) {
            if (le(board.rangeStart(j), seq) && lt(seq, board.rangeEnd(j))) {
                return board.rangeEnd(j);
            }
        }
        return seq;
    }

    /** The start of the first SACKed range above {@code seq}, or {@code limit} if it comes first. */
    int unsackedEnd(int seq, int limit) {
        for (int j = 0; j < board.rangeCount(); j++) {
            int start = board.rangeStart(j);
            if (gt(start, seq)) {
                return lt(start, limit) ? start : limit;
            }
        }
        return limit;
    }

    /** Segments RACK marked lost. */
    long rackLosses() {
        return rackLosses;
    }
}
