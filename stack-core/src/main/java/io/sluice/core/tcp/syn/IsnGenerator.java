package io.sluice.core.tcp.syn;

import java.security.SecureRandom;

/**
 * Initial send sequence numbers as RFC 6528 §3 defines them: {@code ISN = M + F(localip, localport, remoteip,
 * remoteport, secretkey)}, where M is a timer ticking every 4 microseconds and F is {@link SipHash} of the 4-tuple
 * under a random 128-bit key made once per generator.
 *
 * <p>Why this shape: F hides the ISN from an off-path attacker (who cannot compute it without the key), so it
 * cannot be guessed from an ISN seen on another connection (RFC 6528 §2); M keeps the ISNs of one 4-tuple
 * increasing over time, so a new incarnation of a connection starts above the old one's sequence numbers (RFC 9293
 * §3.4.1) — which is also why the key is fixed for the generator's life rather than rotated: a new key would move
 * F and break that order for every 4-tuple. At one tick per 4 µs, M wraps every 2^32 × 4 µs ≈ 4.77 hours.
 *
 * <p>{@link #timestampOffset} gives the per-connection offset added to the TCP timestamp clock (RFC 7323 §5.4
 * recommends one, so TSvals do not reveal the host's uptime or link its connections). It is a function of the
 * 4-tuple under the same key, not a fresh random number, so TSvals stay increasing across incarnations of one
 * 4-tuple, which PAWS and RFC 7323 §5.8 rely on. The two functions hash different inputs (a purpose word), so
 * the offset reveals nothing of F.
 *
 * <p>Pure: time comes in as nanoseconds ({@code now}, from any monotonic clock, e.g. {@code System.nanoTime()});
 * nothing is read, mutated or allocated per call, so any number of workers may share one generator.
 */
public final class IsnGenerator {

    /** The period of M: 4 microseconds (RFC 6528 §3, after RFC 793's 250 kHz clock). */
    public static final long TICK_NANOS = 4_000;

    private static final int PURPOSE_ISN = 0;
    private static final int PURPOSE_TIMESTAMP_OFFSET = 1;

    private final long k0;
    private final long k1;

    /** A generator with a key of 128 bits drawn from {@code random}. */
    public IsnGenerator(SecureRandom random) {
        this(random.nextLong(), random.nextLong());
    }

    /** A generator with the given key (key bytes 0..7 and 8..15 as little-endian words); for tests. */
    public IsnGenerator(long k0, long k1) {
        this.k0 = k0;
        this.k1 = k1;
    }

    /** M: 4 µs ticks of {@code now} (floored, so negative clock values tick too), modulo 2^32. */
    public static int timer(long now) {
        return (int) Math.floorDiv(now, TICK_NANOS);
    }

    /**
     * The ISN for a connection at time {@code now}; addresses are IPv4 addresses as {@code int}s, ports are the
     * low 16 bits of theirs.
     */
    public int isn(long now, int localIp, int localPort, int remoteIp, int remotePort) {
        return timer(now) + secretFunction(localIp, localPort, remoteIp, remotePort, PURPOSE_ISN);
    }

    /** The offset to add to the timestamp clock for this 4-tuple's connections (RFC 7323 §5.4). */
    public int timestampOffset(int localIp, int localPort, int remoteIp, int remotePort) {
        return secretFunction(localIp, localPort, remoteIp, remotePort, PURPOSE_TIMESTAMP_OFFSET);
    }

    private int secretFunction(int localIp, int localPort, int remoteIp, int remotePort, int purpose) {
        return (int) SipHash.hash(k0, k1, TupleWords.addresses(localIp, remoteIp),
                TupleWords.ports(localPort, remotePort, purpose));
    }
}
