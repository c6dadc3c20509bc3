package io.sluice.core.tcp.syn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.core.util.AllocationMeter;
import org.junit.jupiter.api.Test;

/**
 * What the listener calls per SYN and per ACK allocates nothing: an ISN and timestamp offset, a flood decision, a
 * cookie with its TSval, and the decode of the completing ACK, for many tuples and times.
 */
class SynAllocationFreeTest {

    private static final int ROUND = 1_000;

    private final IsnGenerator isns = new IsnGenerator(11, 12);
    private final SynCookies cookies = new SynCookies(13, 14);
    private final SynFloodGuard guard = new SynFloodGuard();
    private long now = 5 * SynCookies.PERIOD_NANOS;
    private long sink;
    private int valid;

    private void round() {
        for (int i = 0; i < ROUND; i++) {
            now += 1_000_003;
            int remote = 0xc612_0000 + i;
            int port = 1024 + i;
            sink += isns.isn(now, 0xc612_0001, 80, remote, port) + isns.timestampOffset(0xc612_0001, 80, remote, port);
            if (guard.useCookie(now, 8, 8) && guard.acceptsCookies(now)) {
                int cookie = cookies.encode(now, 0xc612_0001, 80, remote, port, i * 7919, 1460);
                sink += SynCookies.encodeTimestamp((int) now, i % 15, (i & 1) == 0);
                if (cookies.decode(now + 1, 0xc612_0001, 80, remote, port, i * 7919, cookie) == 1460) {
                    valid++;
                }
                sink += SynCookies.windowShift(SynCookies.decodeTimestampOptions((int) sink));
            }
        }
    }

    @Test
    void theSynAndAckPathsAllocateNothing() {
        assertEquals(0, AllocationMeter.allocatedInSteadyState(this::round));
        assertEquals(0, valid % ROUND, "every cookie decoded: " + valid);
        assertTrue(valid > 0);
    }
}
