package io.sluice.core.tcp.syn;

/**
 * Packs a connection's 4-tuple into the 64-bit words that {@link SipHash} hashes, one encoding for ISNs, timestamp
 * offsets and SYN cookies: word 0 holds both addresses, word 1 both ports above 32 more bits that the caller
 * chooses (the peer's ISN, or a constant that keeps two functions of the same key apart).
 */
final class TupleWords {

    private TupleWords() {}

    /** The local address in the high half, the remote one in the low half. */
    static long addresses(int localIp, int remoteIp) {
        return (long) localIp << 32 | remoteIp & 0xffff_ffffL;
    }

    /** The local port in bits 63..48, the remote port in bits 47..32 and {@code low} in bits 31..0. */
    static long ports(int localPort, int remotePort, int low) {
        return (long) (localPort & 0xffff) << 48 | (long) (remotePort & 0xffff) << 32 | low & 0xffff_ffffL;
    }
}
