package io.sluice.core.tcp.syn;

import io.sluice.core.wire.TcpOptions;
import java.security.SecureRandom;

/**
 * SYN cookies (RFC 4987 §3.6): under a SYN flood a listener answers a SYN with a SYN-ACK whose sequence number
 * (the cookie) encodes what it would otherwise have kept in its SYN queue, keeps no state, and rebuilds the
 * connection from the ACK that completes the handshake ({@code SEG.ACK − 1} is the cookie, {@code SEG.SEQ − 1} the
 * peer's ISN).
 *
 * <p>Layout of the 32-bit cookie, most significant bit first:
 * <pre>
 *   31..27  counter: now / 64 s, modulo 32      \ these 8 bits are XORed with 8 bits of SipHash(4-tuple, peer ISN),
 *   26..24  index into the MSS table            /  so a cookie shows neither our clock nor the MSS
 *   23..0   MAC: SipHash(4-tuple, peer ISN, full counter, MSS index), low 24 bits
 * </pre>
 * This is the layout RFC 4987 §3.6 describes (5 bits of time, 3 of MSS, 24 of a secret function), with two
 * choices of ours: the MAC covers the MSS index, so a peer cannot raise its MSS by flipping those bits, and the
 * top byte is whitened, so all 32 bits of the ISS are unpredictable off the path, as RFC 6528 wants of every ISS.
 *
 * <p>Validity: a cookie decodes only in the counter period it was made in and the next one, so it lives between
 * 64 and 128 s and never comes from the future (a counter ahead of ours is rejected). The MAC covers the full
 * counter, so a cookie 32 periods old, whose 5 bits repeat, fails too. A random ACK is accepted with probability
 * 2 × 2^-5 (the counter bits) × 2^-24 (the MAC) = 2^-28; an attacker who knows the layout but not the key still
 * faces the 2^-24 of the MAC.
 *
 * <p>What a cookie cannot hold: the window shift and SACK-permitted of the SYN. With timestamps (the peer's SYN
 * carried them), {@link #encodeTimestamp} puts them in the low {@value #TIMESTAMP_OPTION_BITS} bits of our TSval in
 * the SYN-ACK and {@link #decodeTimestampOptions} reads them back from the TSecr of the ACK. Without timestamps the
 * connection made from a cookie has no window scaling (so at most 64 KiB in flight) and no SACK — the trade-off RFC
 * 4987 §3.6 describes, accepted only while the SYN queue overflows (see {@link SynFloodGuard}).
 *
 * <p>Pure and immutable: the key is fixed at construction (the counter in the MAC already makes old cookies
 * invalid, so there is nothing to rotate), time comes in as nanoseconds, nothing is allocated per call, and any
 * number of workers may share one instance. Counting cookies sent, validated and failed is the caller's.
 */
public final class SynCookies {

    /** The period of the cookie counter: 64 seconds. */
    public static final long PERIOD_NANOS = 64_000_000_000L;
    /** What {@link #decode} returns for a cookie that is not valid (no MSS is negative). */
    public static final int INVALID = -1;
    /** Bits of the MAC in a cookie. */
    public static final int MAC_BITS = 24;
    /** Low bits of TSval that carry the window shift and SACK-permitted. */
    public static final int TIMESTAMP_OPTION_BITS = 5;

    /**
     * The MSS values a cookie can carry; a peer's MSS is rounded down to one of them. 536: RFC 9293's default, which
     * every IPv4 host must accept; 1240: 1280-byte tunnel MTUs; 1360, 1400: IPsec and VPN paths; 1440: common
     * tunnels; 1452: PPPoE (1492-byte MTU); 1460: Ethernet; 8960: 9000-byte jumbo frames.
     */
    private static final int[] MSS_TABLE = {536, 1240, 1360, 1400, 1440, 1452, 1460, 8960};
    private static final int INDEX_BITS = 3;
    private static final int COUNTER_BITS = 5;
    private static final int COUNTER_MASK = (1 << COUNTER_BITS) - 1;
    private static final int TOP_SHIFT = MAC_BITS;
    private static final int TOP_MASK = 0xff;
    private static final int NO_WINDOW_SHIFT_CODE = 15;
    private static final int WINDOW_SHIFT_MASK = 0xf;
    private static final int SACK_BIT = 1 << 4;
    private static final int TIMESTAMP_OPTION_MASK = (1 << TIMESTAMP_OPTION_BITS) - 1;

    private final long k0;
    private final long k1;
    private final int macMask;

    /** Cookies with a key of 128 bits drawn from {@code random}. */
    public SynCookies(SecureRandom random) {
        this(random.nextLong(), random.nextLong());
    }

    /** Cookies with the given key (key bytes 0..7 and 8..15 as little-endian words); for tests. */
    public SynCookies(long k0, long k1) {
        this(k0, k1, MAC_BITS);
    }

    /**
     * Cookies whose decode checks only the low {@code macBitsChecked} bits of the MAC: a weaker check, for the
     * statistical test only, which needs false acceptances frequent enough to count.
     */
    SynCookies(long k0, long k1, int macBitsChecked) {
        if (macBitsChecked < 1 || macBitsChecked > MAC_BITS) {
            throw new IllegalArgumentException("MAC bits checked must be 1.." + MAC_BITS + ", not " + macBitsChecked);
        }
        this.k0 = k0;
        this.k1 = k1;
        this.macMask = (int) ((1L << macBitsChecked) - 1);
    }

    /** The cookie counter at {@code now}: 64-second periods, floored. */
    public static long counter(long now) {
        return Math.floorDiv(now, PERIOD_NANOS);
    }

    /** Entries in the MSS table. */
    public static int mssTableSize() {
        return MSS_TABLE.length;
    }

    /** The MSS at {@code index} of the table (ascending). */
    public static int mssAt(int index) {
        return MSS_TABLE[index];
    }

    /**
     * The index of the largest table MSS not above {@code peerMss}, or 0 (536) when the peer's is smaller: every
     * IPv4 host must accept 576-byte datagrams (RFC 9293 §3.7.1), so 536 is always deliverable.
     */
    public static int mssIndex(int peerMss) {
        int index = MSS_TABLE.length - 1;
        while (index > 0 && MSS_TABLE[index] > peerMss) {
            index--;
        }
        return index;
    }

    /**
     * The cookie to send as the ISS of a SYN-ACK answering a SYN from {@code remoteIp:remotePort} to
     * {@code localIp:localPort} with sequence number {@code peerIsn} and MSS option {@code peerMss} (536 if it had
     * none).
     */
    public int encode(long now, int localIp, int localPort, int remoteIp, int remotePort, int peerIsn,
            int peerMss) {
        long addresses = TupleWords.addresses(localIp, remoteIp);
        long ports = TupleWords.ports(localPort, remotePort, peerIsn);
        long counter = counter(now);
        int index = mssIndex(peerMss);
        int top = (int) (counter & COUNTER_MASK) << INDEX_BITS | index;
        return (top ^ whitening(addresses, ports)) << TOP_SHIFT | mac(addresses, ports, counter, index);
    }

    /**
     * Checks the cookie of an ACK completing a handshake and returns the MSS it carries, or {@link #INVALID}.
     *
     * @param peerIsn the ACK's {@code SEG.SEQ − 1}
     * @param cookie the ACK's {@code SEG.ACK − 1}
     */
    public int decode(long now, int localIp, int localPort, int remoteIp, int remotePort, int peerIsn, int cookie) {
        long addresses = TupleWords.addresses(localIp, remoteIp);
        long ports = TupleWords.ports(localPort, remotePort, peerIsn);
        int top = (cookie >>> TOP_SHIFT ^ whitening(addresses, ports)) & TOP_MASK;
        int counterBits = top >>> INDEX_BITS;
        int index = top & (1 << INDEX_BITS) - 1;
        long current = counter(now);
        long counter;
        if (counterBits == (current & COUNTER_MASK)) {
            counter = current;
        } else if (counterBits == (current - 1 & COUNTER_MASK)) {
            counter = current - 1;
        } else {
            return INVALID; // older than the previous period, or from the future
        }
        if (((cookie ^ mac(addresses, ports, counter, index)) & macMask) != 0) {
            return INVALID;
        }
        return MSS_TABLE[index];
    }

    private int whitening(long addresses, long ports) {
        return (int) SipHash.hash(k0, k1, addresses, ports) & TOP_MASK;
    }

    private int mac(long addresses, long ports, long counter, int index) {
        return (int) SipHash.hash(k0, k1, addresses, ports, counter << INDEX_BITS | index) & (1 << MAC_BITS) - 1;
    }

    /**
     * The TSval to send in a cookie's SYN-ACK: {@code tsval} with its low {@value #TIMESTAMP_OPTION_BITS} bits
     * replaced by the peer's window shift (0..14, or {@link TcpOptions#NO_WINDOW_SCALE}; above 14 counts as 14) and
     * SACK-permitted. The result is never ahead of {@code tsval} (modulo 2^32) and at most 31 behind, so the
     * connection's later TSvals, taken from the clock, never go backwards for the peer's PAWS (RFC 7323 §5.3).
     */
    public static int encodeTimestamp(int tsval, int windowShiftOrNone, boolean sack) {
        int shiftCode = windowShiftOrNone < 0 ? NO_WINDOW_SHIFT_CODE
                : Math.min(windowShiftOrNone, TcpOptions.MAX_WINDOW_SHIFT);
        int options = shiftCode | (sack ? SACK_BIT : 0);
        int encoded = tsval & ~TIMESTAMP_OPTION_MASK | options;
        if (encoded - tsval > 0) {
            encoded -= 1 << TIMESTAMP_OPTION_BITS;
        }
        return encoded;
    }

    /**
     * The options a cookie's SYN-ACK carried in its TSval, read from the TSecr of the ACK; take them apart with
     * {@link #windowShift} and {@link #sackPermitted}.
     */
    public static int decodeTimestampOptions(int tsecr) {
        return tsecr & TIMESTAMP_OPTION_MASK;
    }

    /** The peer's window shift in decoded options: 0..14, or {@link TcpOptions#NO_WINDOW_SCALE}. */
    public static int windowShift(int options) {
        int code = options & WINDOW_SHIFT_MASK;
        return code > TcpOptions.MAX_WINDOW_SHIFT ? TcpOptions.NO_WINDOW_SCALE : code;
    }

    /** Whether the peer's SYN carried SACK-permitted, from decoded options. */
    public static boolean sackPermitted(int options) {
        return (options & SACK_BIT) != 0;
    }
}
