package io.sluice.core.tcp.syn;

/**
 * One listener's decision to answer SYNs with {@link SynCookies} instead of SYN queue entries, and whether an ACK
 * may be checked as a cookie at all.
 *
 * <p>Cookies start when the SYN queue is full and stop once it has drained to half its capacity: without that
 * margin, every slot freed by a timed-out bogus entry would go straight to the next flood SYN, with its SYN-ACK
 * retransmissions, and the listener would flap between the two modes. Cookies cost the connection its window
 * scaling and SACK when the peer sends no timestamps (see {@link SynCookies}), so they are used only while needed.
 *
 * <p>{@link #acceptsCookies} is true only while a cookie sent might still be valid (two counter periods after the
 * last one): outside a flood nobody holds a cookie, and an ACK that matches no queue entry is then answered with a
 * reset without the 2^-28 chance of a forged one opening a connection.
 *
 * <p>Several workers may share one guard: the fields are volatile and a lost race costs one SYN a cookie or a queue
 * slot, nothing more. Time comes in as nanoseconds; nothing is allocated.
 */
public final class SynFloodGuard {

    /** How long after the last cookie sent ACKs are still checked as cookies: a cookie's longest life. */
    public static final long COOKIE_LIFETIME_NANOS = 2 * SynCookies.PERIOD_NANOS;

    private volatile boolean flooded;
    private volatile boolean cookieSent;
    private volatile long lastCookieSent;

    /** A guard that has sent no cookie yet. */
    public SynFloodGuard() {}

    /**
     * Whether to answer a SYN arriving at {@code now} with a cookie, given the SYN queue's length and capacity now;
     * a true answer is recorded as a cookie sent.
     */
    public boolean useCookie(long now, int synQueueLength, int synQueueCapacity) {
        if (synQueueLength >= synQueueCapacity) {
            flooded = true;
        } else if (flooded && synQueueLength <= synQueueCapacity / 2) {
            flooded = false;
        }
        if (!flooded) {
            return false;
        }
        lastCookieSent = now;
        cookieSent = true;
        return true;
    }

    /** Whether cookies are being sent now (the last SYN got one). */
    public boolean flooded() {
        return flooded;
    }

    /** Whether an ACK arriving at {@code now} for no queued connection should be checked as a cookie. */
    public boolean acceptsCookies(long now) {
        return cookieSent && now - lastCookieSent < COOKIE_LIFETIME_NANOS;
    }
}
