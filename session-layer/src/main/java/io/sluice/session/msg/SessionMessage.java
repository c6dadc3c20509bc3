package io.sluice.session.msg;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The layout of session messages: requests an application posts to a stack queue, and the replies,
 * notifications and IO events the stack (or, cut through, the peer application) posts to an application worker's
 * queue. One message fills the payload of one 64-byte queue slot ({@link #SIZE} bytes); fields are in the
 * machine's byte order (both ends share the machine) and naturally aligned.
 *
 * <pre>
 *  0  u16 type        4  u32 context (the application's number for a request, echoed in its reply)
 *  2  u16 status      8  u64 handle  (the session, or the listener)
 * 16  u32 address     20 u16 port     22 u16 flags      24 u32 value
 * 28  u32 local address               32 u16 local port 34 u16 application worker
 * 36  u32 segment id  40 u32 tx offset                  44 u32 rx offset
 * 48  u64 other handle
 * </pre>
 *
 * Every request carries the application worker that posts it ({@link #appWorker}): replies go to that worker's
 * queue, and a session made by CONNECT belongs to it (an accepted session belongs to its listener's worker).
 *
 * <p>Which fields each type uses:
 * <table>
 * <caption>fields by type</caption>
 * <tr><th>type</th><th>direction</th><th>fields</th></tr>
 * <tr><td>LISTEN</td><td>app → stack</td><td>context, address/port (local; port 0 picks one), flags (scope),
 *     value = backlog</td></tr>
 * <tr><td>BOUND</td><td>reply</td><td>context, status, handle = listener, address/port bound</td></tr>
 * <tr><td>UNLISTEN</td><td>app → stack</td><td>context, handle = listener</td></tr>
 * <tr><td>UNLISTENED</td><td>reply</td><td>context, status, handle</td></tr>
 * <tr><td>CONNECT</td><td>app → stack</td><td>context, address/port (remote), flags (scope), value = timeout
 *     in ms (0: the stack's), local address (0: the route's)</td></tr>
 * <tr><td>CONNECTED</td><td>reply</td><td>context, status, handle, address/port (remote), local address/port,
 *     segment id + tx/rx offsets of the session's FIFOs (flag CUT_THROUGH: channel id and slot in tx offset)</td></tr>
 * <tr><td>ACCEPTED</td><td>notification</td><td>handle (new session), other handle = listener, address/port
 *     (remote), local address/port, FIFO location as in CONNECTED; flag HAND_OFF: no FIFOs, the session waits for a
 *     MOVE</td></tr>
 * <tr><td>DISCONNECT</td><td>app → stack</td><td>context, handle: close (FIN after the queued bytes); CLEANUP
 *     follows</td></tr>
 * <tr><td>ABORT</td><td>app → stack</td><td>context, handle: reset the connection; CLEANUP follows</td></tr>
 * <tr><td>SHUTDOWN</td><td>app → stack</td><td>context, handle, value = {@link #SHUT_READ} | {@link #SHUT_WRITE}
 *     </td></tr>
 * <tr><td>SHUTDOWN_REPLY</td><td>reply</td><td>context, status, handle</td></tr>
 * <tr><td>SET_OPTION</td><td>app → stack</td><td>context, handle, value = option, tx offset/rx offset/segment id
 *     = its three arguments</td></tr>
 * <tr><td>OPTION_REPLY</td><td>reply</td><td>context, status, handle, value = option</td></tr>
 * <tr><td>TX</td><td>app → stack (io)</td><td>handle: the tx FIFO has new bytes</td></tr>
 * <tr><td>DEQUEUED</td><td>app → stack (io)</td><td>handle: the application read from the rx FIFO and the stack
 *     had asked to hear of it (the receive window can open)</td></tr>
 * <tr><td>RX</td><td>stack → app (io)</td><td>handle: the rx FIFO has new bytes</td></tr>
 * <tr><td>TX_SPACE</td><td>stack → app (io)</td><td>handle: the tx FIFO has room again</td></tr>
 * <tr><td>DISCONNECTED</td><td>notification</td><td>handle: the peer closed its side; after the rx FIFO's bytes,
 *     end of stream</td></tr>
 * <tr><td>RESET</td><td>notification</td><td>handle, status = why (RESET, TIMED_OUT, ABORTED...)</td></tr>
 * <tr><td>CLEANUP</td><td>notification</td><td>handle, context of the DISCONNECT or ABORT that led to it (0 if
 *     none): the session is gone and its FIFOs are freed; forget the handle</td></tr>
 * <tr><td>GET_INFO</td><td>app → stack</td><td>context, handle</td></tr>
 * <tr><td>INFO_REPLY</td><td>reply</td><td>context, status, handle, value = the TCP state's ordinal (-1: cut
 *     through, no TCP); {@link #setTcpInfo}'s numbers in the address, port, local address, FIFO and other-handle
 *     fields</td></tr>
 * <tr><td>MOVE</td><td>app → stack</td><td>context, handle of a session a hand-off listener accepted; the posting
 *     worker becomes its owner</td></tr>
 * <tr><td>MOVED</td><td>reply</td><td>as ACCEPTED (FIFO location included) plus context and status; value =
 *     {@link #MOVED_PEER_CLOSED} | {@link #MOVED_RESET} with the reset's status code in the high 16 bits</td></tr>
 * <tr><td>ERROR</td><td>reply</td><td>context, status, handle, value = the type of the request refused</td></tr>
 * </table>
 */
public final class SessionMessage {

    /** Bytes of a message: the payload of a 64-byte slot. */
    public static final int SIZE = 56;

    // ---- application to stack ----
    public static final int LISTEN = 1;
    public static final int UNLISTEN = 2;
    public static final int CONNECT = 3;
    public static final int DISCONNECT = 4;
    public static final int ABORT = 5;
    public static final int SHUTDOWN = 6;
    public static final int SET_OPTION = 7;
    public static final int TX = 8;
    public static final int DEQUEUED = 9;
    /** The session's TCP state, RTT, windows and retransmissions (INFO_REPLY answers). */
    public static final int GET_INFO = 10;
    /**
     * Claims a session a hand-off listener accepted ({@link #FLAG_HAND_OFF}) for the posting application worker,
     * which from then on gets its events (MOVED answers).
     */
    public static final int MOVE = 11;

    // ---- stack (or peer application) to application ----
    public static final int BOUND = 32;
    public static final int UNLISTENED = 33;
    public static final int CONNECTED = 34;
    public static final int ACCEPTED = 35;
    public static final int SHUTDOWN_REPLY = 36;
    public static final int OPTION_REPLY = 37;
    public static final int RX = 38;
    public static final int TX_SPACE = 39;
    public static final int DISCONNECTED = 40;
    public static final int RESET = 41;
    public static final int CLEANUP = 42;
    public static final int ERROR = 43;
    public static final int INFO_REPLY = 44;
    /** The answer to MOVE, to the worker that now owns the session. */
    public static final int MOVED = 45;

    // ---- flags ----
    /** LISTEN/CONNECT: sessions with applications on this stack may be cut through shared memory. */
    public static final int FLAG_SCOPE_LOCAL = 1;
    /** LISTEN/CONNECT: sessions may go through TCP. */
    public static final int FLAG_SCOPE_GLOBAL = 2;
    /** CONNECTED/ACCEPTED: the FIFOs are a cut-through channel's (segment id = channel, tx offset = slot). */
    public static final int FLAG_CUT_THROUGH = 4;
    /**
     * LISTEN: hand each accepted session to whichever worker of the application claims it (MOVE), instead of to the
     * listener's worker. ACCEPTED: this session waits for a MOVE; it carries no FIFOs yet (MOVED does).
     */
    public static final int FLAG_HAND_OFF = 8;

    // ---- MOVED value: what happened to the session before it moved ----
    /** The peer closed its side: after the rx FIFO's bytes, end of stream. */
    public static final int MOVED_PEER_CLOSED = 1;
    /** The connection was reset; the reset's status code is in the value's high 16 bits. */
    public static final int MOVED_RESET = 2;

    // ---- SHUTDOWN value ----
    public static final int SHUT_READ = 1;
    public static final int SHUT_WRITE = 2;

    // ---- SET_OPTION value ----
    /** Argument 1: 1 to send without Nagle's delay, 0 to coalesce. */
    public static final int OPTION_NO_DELAY = 1;
    /**
     * Arguments: 1 = 1/0 enabled; 2 = idle seconds; 3 = interval seconds in its high 16 bits and probes in its low
     * 16 bits (packed). When enabled, all three must be positive.
     */
    public static final int OPTION_KEEPALIVE = 2;

    // ---- field offsets ----
    static final long TYPE = 0;
    static final long STATUS = 2;
    static final long CONTEXT = 4;
    static final long HANDLE = 8;
    static final long ADDRESS = 16;
    static final long PORT = 20;
    static final long FLAGS = 22;
    static final long VALUE = 24;
    static final long LOCAL_ADDRESS = 28;
    static final long LOCAL_PORT = 32;
    static final long APP_WORKER = 34;
    static final long SEGMENT_ID = 36;
    static final long TX_OFFSET = 40;
    static final long RX_OFFSET = 44;
    static final long OTHER_HANDLE = 48;

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT;
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG;

    private SessionMessage() {
    }

    /** Zeroes the message at {@code at} and sets its type: the start of every message written. */
    public static void begin(MemorySegment m, long at, int type) {
        m.asSlice(at, SIZE).fill((byte) 0);
        m.set(U16, at + TYPE, (short) type);
    }

    /** Writes an IO event (TX, DEQUEUED, RX, TX_SPACE): type, handle and the posting application worker. */
    public static void io(MemorySegment m, long at, int type, long handle, int appWorker) {
        // The other fields of an IO event are never read: skip the fill (the hot path).
        m.set(U16, at + TYPE, (short) type);
        m.set(U16, at + STATUS, (short) 0);
        m.set(U32, at + CONTEXT, 0);
        m.set(U64, at + HANDLE, handle);
        m.set(U16, at + APP_WORKER, (short) appWorker);
    }

    public static int type(MemorySegment m, long at) {
        return Short.toUnsignedInt(m.get(U16, at + TYPE));
    }

    /** @return the status code; {@link SessionStatus#ofCode} turns it into a status */
    public static int status(MemorySegment m, long at) {
        return Short.toUnsignedInt(m.get(U16, at + STATUS));
    }

    public static void setStatus(MemorySegment m, long at, SessionStatus status) {
        m.set(U16, at + STATUS, (short) status.code());
    }

    public static int context(MemorySegment m, long at) {
        return m.get(U32, at + CONTEXT);
    }

    public static void setContext(MemorySegment m, long at, int context) {
        m.set(U32, at + CONTEXT, context);
    }

    public static long handle(MemorySegment m, long at) {
        return m.get(U64, at + HANDLE);
    }

    public static void setHandle(MemorySegment m, long at, long handle) {
        m.set(U64, at + HANDLE, handle);
    }

    /** @return the (remote, or for LISTEN/BOUND local) IPv4 address, as an int in network order of bits */
    public static int address(MemorySegment m, long at) {
        return m.get(U32, at + ADDRESS);
    }

    public static int port(MemorySegment m, long at) {
        return Short.toUnsignedInt(m.get(U16, at + PORT));
    }

    public static void setAddress(MemorySegment m, long at, int address, int port) {
        m.set(U32, at + ADDRESS, address);
        m.set(U16, at + PORT, (short) port);
    }

    public static int flags(MemorySegment m, long at) {
        return Short.toUnsignedInt(m.get(U16, at + FLAGS));
    }

    public static void setFlags(MemorySegment m, long at, int flags) {
        m.set(U16, at + FLAGS, (short) flags);
    }

    public static int value(MemorySegment m, long at) {
        return m.get(U32, at + VALUE);
    }

    public static void setValue(MemorySegment m, long at, int value) {
        m.set(U32, at + VALUE, value);
    }

    public static int localAddress(MemorySegment m, long at) {
        return m.get(U32, at + LOCAL_ADDRESS);
    }

    public static int localPort(MemorySegment m, long at) {
        return Short.toUnsignedInt(m.get(U16, at + LOCAL_PORT));
    }

    public static void setLocal(MemorySegment m, long at, int address, int port) {
        m.set(U32, at + LOCAL_ADDRESS, address);
        m.set(U16, at + LOCAL_PORT, (short) port);
    }

    /** @return the application worker that posted a request (its replies go to that worker's queue) */
    public static int appWorker(MemorySegment m, long at) {
        return Short.toUnsignedInt(m.get(U16, at + APP_WORKER));
    }

    public static void setAppWorker(MemorySegment m, long at, int worker) {
        m.set(U16, at + APP_WORKER, (short) worker);
    }

    /** @return the FIFO segment's id (or the cut-through channel's), unsigned */
    public static long segmentId(MemorySegment m, long at) {
        return Integer.toUnsignedLong(m.get(U32, at + SEGMENT_ID));
    }

    /** @return the tx FIFO's offset in its segment (or the cut-through slot), unsigned */
    public static long txOffset(MemorySegment m, long at) {
        return Integer.toUnsignedLong(m.get(U32, at + TX_OFFSET));
    }

    /** @return the rx FIFO's offset in its segment, unsigned */
    public static long rxOffset(MemorySegment m, long at) {
        return Integer.toUnsignedLong(m.get(U32, at + RX_OFFSET));
    }

    /**
     * Sets where the session's FIFOs are. Offsets are 32-bit: a FIFO segment is smaller than 4 GiB.
     *
     * @throws IllegalArgumentException for a value beyond 32 bits
     */
    public static void setFifos(MemorySegment m, long at, long segmentId, long txOffset, long rxOffset) {
        m.set(U32, at + SEGMENT_ID, unsigned32("segment id", segmentId));
        m.set(U32, at + TX_OFFSET, unsigned32("tx offset", txOffset));
        m.set(U32, at + RX_OFFSET, unsigned32("rx offset", rxOffset));
    }

    /** SET_OPTION's arguments share the FIFO fields: argument 1 at segment id, 2 at tx offset, 3 at rx offset. */
    public static void setOptionArguments(MemorySegment m, long at, int first, int second, int third) {
        m.set(U32, at + SEGMENT_ID, first);
        m.set(U32, at + TX_OFFSET, second);
        m.set(U32, at + RX_OFFSET, third);
    }

    /** @return SET_OPTION's argument {@code n} (1..3) */
    public static int optionArgument(MemorySegment m, long at, int n) {
        return switch (n) {
            case 1 -> m.get(U32, at + SEGMENT_ID);
            case 2 -> m.get(U32, at + TX_OFFSET);
            case 3 -> m.get(U32, at + RX_OFFSET);
            default -> throw new IllegalArgumentException("option argument " + n + " is not 1..3");
        };
    }

    /**
     * INFO_REPLY's numbers, in fields a reply does not otherwise use: smoothed RTT and its variation (µs, at address
     * and local address), congestion window, slow-start threshold and send window (bytes, saturated at 2^32 - 1, at
     * segment id, tx offset and rx offset), MSS (at port) and segments retransmitted (at other handle).
     */
    public static void setTcpInfo(MemorySegment m, long at, long srttMicros, long rttvarMicros, long cwnd,
            long ssthresh, long sendWindow, int mss, long retransmitted) {
        m.set(U32, at + ADDRESS, saturated32(srttMicros));
        m.set(U32, at + LOCAL_ADDRESS, saturated32(rttvarMicros));
        m.set(U32, at + SEGMENT_ID, saturated32(cwnd));
        m.set(U32, at + TX_OFFSET, saturated32(ssthresh));
        m.set(U32, at + RX_OFFSET, saturated32(sendWindow));
        m.set(U16, at + PORT, (short) Math.min(mss, 0xFFFF));
        m.set(U64, at + OTHER_HANDLE, retransmitted);
    }

    /** @return INFO_REPLY's number {@code n}: 0 srtt, 1 rttvar, 2 cwnd, 3 ssthresh, 4 send window (unsigned) */
    public static long tcpInfo(MemorySegment m, long at, int n) {
        long offset = switch (n) {
            case 0 -> ADDRESS;
            case 1 -> LOCAL_ADDRESS;
            case 2 -> SEGMENT_ID;
            case 3 -> TX_OFFSET;
            case 4 -> RX_OFFSET;
            default -> throw new IllegalArgumentException("TCP info number " + n + " is not 0..4");
        };
        return Integer.toUnsignedLong(m.get(U32, at + offset));
    }

    private static int saturated32(long value) {
        return (int) Math.clamp(value, 0, 0xFFFF_FFFFL);
    }

    public static long otherHandle(MemorySegment m, long at) {
        return m.get(U64, at + OTHER_HANDLE);
    }

    public static void setOtherHandle(MemorySegment m, long at, long handle) {
        m.set(U64, at + OTHER_HANDLE, handle);
    }

    /** @return whether {@code type} is one an application may post to the stack */
    public static boolean isRequest(int type) {
        return type >= LISTEN && type <= MOVE;
    }

    /** @return the type's name, for messages and logs ({@code type 77} for an unknown one) */
    public static String typeName(int type) {
        return switch (type) {
            case LISTEN -> "LISTEN";
            case UNLISTEN -> "UNLISTEN";
            case CONNECT -> "CONNECT";
            case DISCONNECT -> "DISCONNECT";
            case ABORT -> "ABORT";
            case SHUTDOWN -> "SHUTDOWN";
            case SET_OPTION -> "SET_OPTION";
            case TX -> "TX";
            case DEQUEUED -> "DEQUEUED";
            case GET_INFO -> "GET_INFO";
            case MOVE -> "MOVE";
            case MOVED -> "MOVED";
            case BOUND -> "BOUND";
            case UNLISTENED -> "UNLISTENED";
            case CONNECTED -> "CONNECTED";
            case ACCEPTED -> "ACCEPTED";
            case SHUTDOWN_REPLY -> "SHUTDOWN_REPLY";
            case OPTION_REPLY -> "OPTION_REPLY";
            case RX -> "RX";
            case TX_SPACE -> "TX_SPACE";
            case DISCONNECTED -> "DISCONNECTED";
            case RESET -> "RESET";
            case CLEANUP -> "CLEANUP";
            case ERROR -> "ERROR";
            case INFO_REPLY -> "INFO_REPLY";
            default -> "type " + type;
        };
    }

    private static int unsigned32(String field, long value) {
        if (value < 0 || value > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException(field + " " + value + " does not fit 32 bits");
        }
        return (int) value;
    }
}
