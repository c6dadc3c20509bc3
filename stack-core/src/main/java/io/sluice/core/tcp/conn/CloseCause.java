package io.sluice.core.tcp.conn;

/** Why a connection reached {@link TcpState#CLOSED}, for the application's error and the counters. */
public enum CloseCause {
    /** Not closed, or closed by the normal FIN exchange. */
    NONE,
    /** The peer reset the connection (an acceptable RST, RFC 9293 §3.10.7.4 and RFC 5961 §3). */
    RESET,
    /** The peer refused the active open: RST in SYN-SENT. */
    REFUSED,
    /** Retransmissions ran out (RFC 9293 §3.8.3 R2). */
    TIMED_OUT,
    /** The local user aborted the connection. */
    ABORTED
}
