package io.sluice.core.l4;

import static io.sluice.core.l4.L4Fixture.PEER;
import static io.sluice.core.l4.L4Fixture.TO_ICMP_ERROR;
import static io.sluice.core.l4.L4Fixture.TO_UDP;
import static io.sluice.core.l4.L4Fixture.US;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.core.wire.Icmp4;
import io.sluice.core.wire.Ip4Address;
import io.sluice.core.wire.TestFrames;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** icmp4-error: RFC 1122 §3.2.2's rules and the per-worker rate limit, time driven by the test. */
class Icmp4ErrorNodeTest {

    private static final long MS = 1_000_000L;

    private final L4Fixture fx = new L4Fixture();
    private final L4Fixture.Worker w = fx.first();

    @AfterEach
    void close() {
        fx.close();
    }

    private void requestUnreachable(byte[] packet) {
        int b = w.inject(packet, TO_ICMP_ERROR);
        Icmp4ErrorNode.request(fx.pool, b, Icmp4.TYPE_DESTINATION_UNREACHABLE, Icmp4.CODE_PROTOCOL_UNREACHABLE, 0);
    }

    @Test
    void noErrorAboutErrorsBroadcastsBadSourcesOrLaterFragments() {
        byte[] udp = L4Fixture.udp(PEER, 1, US, 2, new byte[8]);
        requestUnreachable(L4Fixture.icmpError(PEER, US, Icmp4.TYPE_DESTINATION_UNREACHABLE, 3, udp));
        requestUnreachable(L4Fixture.udp(PEER, 1, 0xc612_00ff, 2, new byte[8])); // directed broadcast
        requestUnreachable(L4Fixture.udp(PEER, 1, 0xe000_00fb, 2, new byte[8])); // multicast
        requestUnreachable(L4Fixture.udp(Ip4Address.ANY, 1, US, 2, new byte[8]));
        requestUnreachable(L4Fixture.udp(0x7f00_0001, 1, US, 2, new byte[8])); // loopback source
        requestUnreachable(L4Fixture.udp(0xf000_0001, 1, US, 2, new byte[8])); // class E source
        byte[] fragment = L4Fixture.udp(PEER, 1, US, 2, new byte[8]);
        TestFrames.put16(fragment, 6, 0x0010); // offset 128 bytes: not the first fragment
        requestUnreachable(fragment);
        w.run();
        assertEquals(0, w.out.count);
        assertEquals(1, w.count(Icmp4ErrorNode.NAME, "about-icmp-error"));
        assertEquals(2, w.count(Icmp4ErrorNode.NAME, "about-broadcast"));
        assertEquals(3, w.count(Icmp4ErrorNode.NAME, "about-bad-source"));
        assertEquals(1, w.count(Icmp4ErrorNode.NAME, "about-fragment"));
        assertEquals(0, w.count(Icmp4ErrorNode.NAME, "sent"));
        fx.assertAllBuffersFree();
    }

    @Test
    void anEchoRequestMayGetAnError() {
        requestUnreachable(L4Fixture.echoRequest(PEER, US, 1, 1, 16));
        w.run();
        byte[] error = w.onlyOutput();
        assertEquals(Icmp4.TYPE_DESTINATION_UNREACHABLE, error[20]);
        assertEquals(Icmp4.CODE_PROTOCOL_UNREACHABLE, error[21]);
        assertEquals(28 + 20 + 8, error.length);
        assertEquals(Icmp4.TYPE_ECHO_REQUEST, error[48]); // the quoted ICMP header
    }

    @Test
    void rateLimitedWithATokenBucketPerWorker() {
        for (int i = 0; i < 200; i++) {
            w.inject(L4Fixture.udp(PEER, 1000 + i, US, 9999, new byte[4]), TO_UDP);
        }
        w.run();
        assertEquals(Icmp4ErrorNode.DEFAULT_BURST, w.out.count);
        assertEquals(200, w.count(Udp4InputNode.NAME, "no-listener"));
        assertEquals(150, w.count(Icmp4ErrorNode.NAME, "rate-limited"));
        w.out.freeAll();

        fx.now += 10 * MS; // 1000/s: ten more tokens
        for (int i = 0; i < 20; i++) {
            w.inject(L4Fixture.udp(PEER, 2000 + i, US, 9999, new byte[4]), TO_UDP);
        }
        w.run();
        assertEquals(10, w.out.count);
        assertEquals(160, w.count(Icmp4ErrorNode.NAME, "rate-limited"));
        w.out.freeAll();

        fx.now += 1000 * MS; // a quiet second refills the burst, not more
        for (int i = 0; i < 60; i++) {
            w.inject(L4Fixture.udp(PEER, 3000 + i, US, 9999, new byte[4]), TO_UDP);
        }
        w.run();
        assertEquals(Icmp4ErrorNode.DEFAULT_BURST, w.out.count);
        assertEquals(110, w.count(Icmp4ErrorNode.NAME, "sent"));
        w.out.freeAll();
        fx.assertAllBuffersFree();
    }

    @Test
    void tokenBucketGrantsBurstThenRate() {
        TokenBucket bucket = new TokenBucket(100, 3); // one token per 10 ms
        long t = 5_000_000_000L;
        assertEquals(true, bucket.tryTake(t));
        assertEquals(true, bucket.tryTake(t));
        assertEquals(true, bucket.tryTake(t));
        assertEquals(false, bucket.tryTake(t));
        assertEquals(false, bucket.tryTake(t + 9 * MS));
        assertEquals(true, bucket.tryTake(t + 10 * MS));
        assertEquals(false, bucket.tryTake(t + 10 * MS));
        assertEquals(4, bucket.granted());
        assertEquals(3, bucket.refused());
    }
}
