package io.sluice.core.tcp.recovery;

/** Which rule of RFC 6675 §4 NextSeg() chose the range {@link SackScoreboard#nextSeg(long)} returned. */
public enum NextSegRule {
    /** Nothing to send. */
    NONE,
    /** Rule (1): retransmit the first unSACKed range above HighRxt that IsLost() deems lost. */
    RETRANSMIT_LOST,
    /** Rule (2): send previously unsent data. */
    SEND_NEW,
    /** Rule (3): retransmit the first unSACKed range above HighRxt and below the highest SACKed octet. */
    RETRANSMIT_UNSACKED,
    /** Rule (4): the one rescue retransmission per recovery, ending at the highest unSACKed octet. */
    RESCUE
}
