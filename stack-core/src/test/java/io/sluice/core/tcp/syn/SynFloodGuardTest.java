package io.sluice.core.tcp.syn;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Cookies from a full SYN queue until it drains to half, and cookie ACKs checked only while a cookie may live. */
class SynFloodGuardTest {

    private static final int CAPACITY = 8;
    private static final long S = 1_000_000_000L;

    private final SynFloodGuard guard = new SynFloodGuard();

    @Test
    void queuesUntilFullThenSendsCookiesUntilDrainedToHalf() {
        for (int length = 0; length < CAPACITY; length++) {
            assertFalse(guard.useCookie(S, length, CAPACITY), "room at " + length);
        }
        assertFalse(guard.acceptsCookies(S), "no cookie sent yet");
        assertTrue(guard.useCookie(S, CAPACITY, CAPACITY));
        assertTrue(guard.flooded());
        assertTrue(guard.useCookie(2 * S, CAPACITY - 1, CAPACITY), "one slot free is not drained");
        assertTrue(guard.useCookie(3 * S, CAPACITY / 2 + 1, CAPACITY));
        assertFalse(guard.useCookie(4 * S, CAPACITY / 2, CAPACITY), "drained to half");
        assertFalse(guard.flooded());
        assertFalse(guard.useCookie(5 * S, CAPACITY - 1, CAPACITY), "queueing again until full");
        assertTrue(guard.useCookie(6 * S, CAPACITY, CAPACITY));
    }

    @Test
    void acceptsCookieAcksForTwoPeriodsAfterTheLastCookie() {
        long last = -5 * S; // clocks may be negative
        assertTrue(guard.useCookie(last, CAPACITY, CAPACITY));
        assertFalse(guard.useCookie(last + S, 0, CAPACITY));
        assertTrue(guard.acceptsCookies(last + S), "cookies stopped but those sent still live");
        assertTrue(guard.acceptsCookies(last + SynFloodGuard.COOKIE_LIFETIME_NANOS - 1));
        assertFalse(guard.acceptsCookies(last + SynFloodGuard.COOKIE_LIFETIME_NANOS));
        assertTrue(SynFloodGuard.COOKIE_LIFETIME_NANOS == 128 * S);
    }

    @Test
    void aZeroCapacityQueueAlwaysUsesCookies() {
        assertTrue(guard.useCookie(0, 0, 0));
        assertTrue(guard.useCookie(1, 0, 0));
    }
}
