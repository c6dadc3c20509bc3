package io.sluice.core.tcp.syn;

import static io.sluice.core.tcp.syn.SynCookies.INVALID;
import static io.sluice.core.tcp.syn.SynCookies.PERIOD_NANOS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.core.tcp.SeqNum;
import io.sluice.core.wire.Ip4Address;
import io.sluice.core.wire.TcpOptions;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

/**
 * SYN cookies (RFC 4987 §3.6): every MSS survives the round trip, the cookie lives for the period it was made in
 * and the next one only, and any change to the ACK, the 4-tuple or the peer's ISN invalidates it.
 */
class SynCookiesTest {

    private static final int LOCAL = Ip4Address.parse("198.18.0.1").bits();
    private static final int REMOTE = Ip4Address.parse("198.19.255.254").bits();
    private static final int LOCAL_PORT = 443;
    private static final int REMOTE_PORT = 51_234;
    private static final int PEER_ISN = 0xdead_beef;
    /** The start of a counter period, far from zero. */
    private static final long T0 = 1_000 * PERIOD_NANOS;

    private final SynCookies cookies = new SynCookies(0x5eed_0001L, 0x5eed_0002L);

    private int encode(long now, int peerMss) {
        return cookies.encode(now, LOCAL, LOCAL_PORT, REMOTE, REMOTE_PORT, PEER_ISN, peerMss);
    }

    private int decode(long now, int cookie) {
        return cookies.decode(now, LOCAL, LOCAL_PORT, REMOTE, REMOTE_PORT, PEER_ISN, cookie);
    }

    @Test
    void everyTableMssSurvivesTheRoundTrip() {
        for (int i = 0; i < SynCookies.mssTableSize(); i++) {
            int mss = SynCookies.mssAt(i);
            int cookie = encode(T0 + 5, mss);
            assertEquals(mss, decode(T0 + 5, cookie));
            assertEquals(mss, decode(T0 + PERIOD_NANOS + 7, cookie), "still valid in the next period");
        }
    }

    @Test
    void thePeersMssIsRoundedDownToTheTable() {
        assertEquals(536, SynCookies.mssAt(0));
        for (int i = 1; i < SynCookies.mssTableSize(); i++) {
            assertTrue(SynCookies.mssAt(i) > SynCookies.mssAt(i - 1), "the table ascends");
            assertEquals(i, SynCookies.mssIndex(SynCookies.mssAt(i)));
            assertEquals(i - 1, SynCookies.mssIndex(SynCookies.mssAt(i) - 1));
        }
        assertEquals(1460, decode(T0, encode(T0, 1460)));
        assertEquals(1452, decode(T0, encode(T0, 1459)));
        assertEquals(1400, decode(T0, encode(T0, 1420)));
        assertEquals(8960, decode(T0, encode(T0, 65_495)), "loopback's MSS");
        assertEquals(1460, decode(T0, encode(T0, 8959)));
        assertEquals(536, decode(T0, encode(T0, TcpOptions.DEFAULT_MSS)), "no MSS option");
        assertEquals(536, decode(T0, encode(T0, 100)), "below the table: the 536 every host accepts");
        assertEquals(536, decode(T0, encode(T0, 0)));
    }

    @Test
    void livesForItsPeriodAndTheNextOnly() {
        int early = encode(T0, 1460);
        assertEquals(1460, decode(T0 + 2 * PERIOD_NANOS - 1, early), "128 s minus 1 ns");
        assertEquals(INVALID, decode(T0 + 2 * PERIOD_NANOS, early), "two periods old");
        int late = encode(T0 + PERIOD_NANOS - 1, 1460);
        assertEquals(1460, decode(T0 + PERIOD_NANOS, late), "made 1 ns before the period ended");
        assertEquals(1460, decode(T0 + 2 * PERIOD_NANOS - 1, late), "64 s + 1 ns after it was made");
        assertEquals(INVALID, decode(T0 + 2 * PERIOD_NANOS, late));
        for (int periods = 2; periods <= 70; periods++) {
            assertEquals(INVALID, decode(T0 + periods * PERIOD_NANOS, early), periods + " periods later");
        }
    }

    @Test
    void aCookieFromTheFutureIsRejected() {
        int next = encode(T0 + PERIOD_NANOS, 1460);
        assertEquals(INVALID, decode(T0 + PERIOD_NANOS - 1, next), "made in the next period");
        assertEquals(INVALID, decode(T0, encode(T0 + 5 * PERIOD_NANOS, 1460)));
    }

    @Test
    void thirtyTwoPeriodsLaterTheCounterBitsRepeatButTheMacDoesNot() {
        int cookie = encode(T0, 1460);
        assertEquals(INVALID, decode(T0 + 32 * PERIOD_NANOS, cookie));
        assertEquals(INVALID, decode(T0 + 33 * PERIOD_NANOS, cookie));
        assertEquals(INVALID, decode(T0 - 31 * PERIOD_NANOS, cookie), "31 periods back is 1 ahead modulo 32");
    }

    @Test
    void theCounterWrapsModuloThirtyTwo() {
        long lastOfCycle = 31 * PERIOD_NANOS + 17; // counter 31: bits 11111
        int cookie = encode(lastOfCycle, 1440);
        assertEquals(32, SynCookies.counter(lastOfCycle + PERIOD_NANOS));
        assertEquals(1440, decode(lastOfCycle + PERIOD_NANOS, cookie), "counter 32 (bits 00000) accepts 31");
        assertEquals(INVALID, decode(lastOfCycle + 2 * PERIOD_NANOS, cookie));
        // Around zero and below: a monotonic clock may be negative.
        int beforeZero = encode(-1, 1440);
        assertEquals(-1, SynCookies.counter(-1));
        assertEquals(1440, decode(0, beforeZero));
        assertEquals(1440, decode(PERIOD_NANOS - 1, beforeZero));
        assertEquals(INVALID, decode(PERIOD_NANOS, beforeZero));
        assertEquals(INVALID, decode(-PERIOD_NANOS - 1, beforeZero), "from the future");
        // At the end of the clock's range.
        long end = Long.MAX_VALUE - 3;
        assertEquals(1440, decode(Long.MAX_VALUE, encode(end, 1440)));
    }

    @Test
    void flippingAnyBitOfTheAckInvalidatesIt() {
        int cookie = encode(T0, 1460);
        for (int bit = 0; bit < 32; bit++) {
            assertEquals(INVALID, decode(T0, cookie ^ 1 << bit), "cookie bit " + bit);
            assertEquals(INVALID, decode(T0 + PERIOD_NANOS, cookie ^ 1 << bit), "cookie bit " + bit + ", next period");
        }
        assertEquals(INVALID, decode(T0, cookie + 1));
        assertEquals(INVALID, decode(T0, cookie - 1));
    }

    @Test
    void anyChangeToTheTupleOrThePeersIsnInvalidatesIt() {
        int cookie = encode(T0, 1460);
        for (int bit = 0; bit < 32; bit++) {
            int flip = 1 << bit;
            assertEquals(INVALID, cookies.decode(T0, LOCAL ^ flip, LOCAL_PORT, REMOTE, REMOTE_PORT, PEER_ISN, cookie));
            assertEquals(INVALID, cookies.decode(T0, LOCAL, LOCAL_PORT, REMOTE ^ flip, REMOTE_PORT, PEER_ISN, cookie));
            assertEquals(INVALID, cookies.decode(T0, LOCAL, LOCAL_PORT, REMOTE, REMOTE_PORT, PEER_ISN ^ flip, cookie),
                    "peer ISN bit " + bit);
        }
        for (int bit = 0; bit < 16; bit++) {
            int flip = 1 << bit;
            assertEquals(INVALID, cookies.decode(T0, LOCAL, LOCAL_PORT ^ flip, REMOTE, REMOTE_PORT, PEER_ISN, cookie));
            assertEquals(INVALID, cookies.decode(T0, LOCAL, LOCAL_PORT, REMOTE, REMOTE_PORT ^ flip, PEER_ISN, cookie));
        }
        assertEquals(INVALID, cookies.decode(T0, REMOTE, REMOTE_PORT, LOCAL, LOCAL_PORT, PEER_ISN, cookie),
                "the tuple seen from the other side");
        assertEquals(INVALID, new SynCookies(0x5eed_0001L, 0x5eed_0003L).decode(T0, LOCAL, LOCAL_PORT, REMOTE,
                REMOTE_PORT, PEER_ISN, cookie), "another key");
    }

    @Test
    void theCookieRevealsNeitherClockNorMss() {
        // The top byte is whitened per tuple and peer ISN: over peers in one period with one MSS, it takes every
        // value's bits, so no bit shows the clock or the MSS. (For one peer's retransmitted SYN the XOR of two top
        // bytes still shows that the counter moved, which tells the peer nothing it did not know.)
        assertNotEquals(encode(T0, 1460), encode(T0, 536));
        int orOfTops = 0;
        int andOfTops = 0xff;
        for (int isn = 0; isn < 64; isn++) {
            int top = cookies.encode(T0, LOCAL, LOCAL_PORT, REMOTE, REMOTE_PORT, isn, 1460) >>> 24;
            orOfTops |= top;
            andOfTops &= top;
        }
        assertEquals(0xff, orOfTops);
        assertEquals(0, andOfTops);
    }

    @Test
    void timestampsCarryEveryWindowShiftAndSackCombination() {
        int[] tsvals = {0, 1, 31, 32, 33, 0x7fff_ffff, 0x8000_0000, 0xffff_ffe0, 0xffff_ffff, 123_456_789};
        for (int tsval : tsvals) {
            for (int shift = TcpOptions.NO_WINDOW_SCALE; shift <= TcpOptions.MAX_WINDOW_SHIFT; shift++) {
                for (boolean sack : new boolean[] {false, true}) {
                    int encoded = SynCookies.encodeTimestamp(tsval, shift, sack);
                    int behind = SeqNum.distance(encoded, tsval);
                    assertTrue(behind >= 0 && behind < 32, "TSval " + tsval + " sent as " + encoded);
                    int options = SynCookies.decodeTimestampOptions(encoded);
                    assertEquals(shift, SynCookies.windowShift(options));
                    assertEquals(sack, SynCookies.sackPermitted(options));
                }
            }
        }
        int options = SynCookies.decodeTimestampOptions(SynCookies.encodeTimestamp(1000, 20, true));
        assertEquals(TcpOptions.MAX_WINDOW_SHIFT, SynCookies.windowShift(options), "above 14 is used as 14");
    }

    @Test
    void timestampsKeepTheClockBitsWhenTheyCan() {
        // Low bits 0b10111 = 23 in TSval 0x1237; options shift 7 with SACK = 0b10111: nothing to change.
        assertEquals(0x1237, SynCookies.encodeTimestamp(0x1237, 7, true));
        // Options above the clock's low bits step back one unit of 32 rather than ahead of the clock.
        assertEquals(0x1220 - 32 + 0x1f, SynCookies.encodeTimestamp(0x1220, TcpOptions.NO_WINDOW_SCALE, true));
        assertEquals(0x1220, SynCookies.encodeTimestamp(0x1225, 0, false));
        assertEquals(0xffff_ffef, SynCookies.encodeTimestamp(0x0000_0005, TcpOptions.NO_WINDOW_SCALE, false),
                "across the wrap");
    }

    @Test
    void checksItsArguments() {
        SecureRandom random = new SecureRandom();
        SynCookies a = new SynCookies(random);
        SynCookies b = new SynCookies(random);
        int cookie = a.encode(T0, LOCAL, LOCAL_PORT, REMOTE, REMOTE_PORT, PEER_ISN, 1460);
        assertEquals(1460, a.decode(T0, LOCAL, LOCAL_PORT, REMOTE, REMOTE_PORT, PEER_ISN, cookie));
        assertEquals(INVALID, b.decode(T0, LOCAL, LOCAL_PORT, REMOTE, REMOTE_PORT, PEER_ISN, cookie),
                "a fresh random key (fails with probability 2^-28)");
        assertThrows(IllegalArgumentException.class, () -> new SynCookies(1, 2, 0));
        assertThrows(IllegalArgumentException.class, () -> new SynCookies(1, 2, 25));
        assertFalse(SynCookies.sackPermitted(SynCookies.decodeTimestampOptions(0)));
    }
}
