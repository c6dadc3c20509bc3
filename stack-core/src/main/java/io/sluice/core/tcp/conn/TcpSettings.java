package io.sluice.core.tcp.conn;

import io.sluice.core.tcp.cc.CongestionControls;

/**
 * Per-connection settings, fixed when the connection is made.
 *
 * @param mss the MSS we announce and the most we send: interface MTU minus IPv4 and TCP headers
 * @param windowScaling whether to offer window scaling (RFC 7323 §2)
 * @param timestamps whether to offer timestamps (RFC 7323 §3)
 * @param sack whether to offer SACK (RFC 2018)
 * @param mslNanos the maximum segment lifetime; TIME-WAIT lasts twice this
 * @param delayedAckNanos how long an ACK for a single in-order segment may wait (RFC 9293 §3.8.6.3: under 0.5 s)
 * @param maxRetransmissions timeouts in a row after which the connection gives up (RFC 9293 §3.8.3 R2)
 * @param ccAlgo the congestion control name ({@link CongestionControls#NAMES})
 * @param rackTlp whether loss detection uses RACK-TLP (RFC 8985) when SACK is agreed; otherwise RFC 6675's
 *     DupThresh and IsLost() decide
 */
public record TcpSettings(int mss, boolean windowScaling, boolean timestamps, boolean sack, long mslNanos,
        long delayedAckNanos, int maxRetransmissions, String ccAlgo, boolean rackTlp) {

    /** The settings with RACK-TLP on. */
    public TcpSettings(int mss, boolean windowScaling, boolean timestamps, boolean sack, long mslNanos,
            long delayedAckNanos, int maxRetransmissions, String ccAlgo) {
        this(mss, windowScaling, timestamps, sack, mslNanos, delayedAckNanos, maxRetransmissions, ccAlgo, true);
    }

    /** Validates the settings. */
    public TcpSettings {
        if (mss < 64 || mss > 65495) {
            throw new IllegalArgumentException("TCP mss " + mss + " is outside 64..65495");
        }
        if (mslNanos < 0 || delayedAckNanos < 0 || maxRetransmissions < 1) {
            throw new IllegalArgumentException("TCP settings: msl " + mslNanos + " ns, delayed ack "
                    + delayedAckNanos + " ns and retransmissions " + maxRetransmissions + " must be positive");
        }
        if (!CongestionControls.NAMES.contains(ccAlgo)) {
            throw new IllegalArgumentException("TCP cc-algo '" + ccAlgo + "' is not one of "
                    + CongestionControls.NAMES);
        }
    }

    /**
     * MSS 1460 (Ethernet), all options on, MSL 30 s (TIME-WAIT 60 s as Linux), 40 ms delayed ACK, 15 retries,
     * RACK-TLP on.
     */
    public static TcpSettings defaults() {
        return new TcpSettings(1460, true, true, true, 30_000_000_000L, 40_000_000L, 15, CongestionControls.DEFAULT,
                true);
    }

    /** The same settings with another MSS. */
    public TcpSettings withMss(int newMss) {
        return new TcpSettings(newMss, windowScaling, timestamps, sack, mslNanos, delayedAckNanos, maxRetransmissions,
                ccAlgo, rackTlp);
    }

    /** The same settings with the given options offered or not. */
    public TcpSettings withOptions(boolean newWindowScaling, boolean newTimestamps, boolean newSack) {
        return new TcpSettings(mss, newWindowScaling, newTimestamps, newSack, mslNanos, delayedAckNanos,
                maxRetransmissions, ccAlgo, rackTlp);
    }

    /** The same settings with RACK-TLP on or off. */
    public TcpSettings withRackTlp(boolean newRackTlp) {
        return new TcpSettings(mss, windowScaling, timestamps, sack, mslNanos, delayedAckNanos, maxRetransmissions,
                ccAlgo, newRackTlp);
    }

    /** The same settings with another congestion control ({@link CongestionControls#NAMES}). */
    public TcpSettings withCcAlgo(String newCcAlgo) {
        return new TcpSettings(mss, windowScaling, timestamps, sack, mslNanos, delayedAckNanos, maxRetransmissions,
                newCcAlgo, rackTlp);
    }
}
