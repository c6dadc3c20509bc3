package io.sluice.core.l4;

import static io.sluice.core.l4.L4Fixture.PEER;
import static io.sluice.core.l4.L4Fixture.TO_UDP;
import static io.sluice.core.l4.L4Fixture.US;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.core.wire.TestFrames;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** UDP sockets: send and receive through the nodes, queue limits, close, ownership, several producer workers. */
class UdpSocketTest {

    private static byte[] payload(int length, int seed) {
        byte[] p = new byte[length];
        for (int i = 0; i < length; i++) {
            p[i] = (byte) (seed + i);
        }
        return p;
    }

    @Test
    void sendBuildsTheDatagramByteForByte() {
        try (L4Fixture fx = new L4Fixture()) {
            // TestFrames.udp(12): 198.18.0.1:1234 → 198.18.0.2:7, payload 'a' + i % 26 for i = 8..19.
            byte[] reference = Arrays.copyOfRange(TestFrames.udp(12, false), 14, 14 + 40);
            UdpSocket socket = fx.sockets.bind(TestFrames.IP_A, 1234);
            assertTrue(socket.send(TestFrames.IP_B, 7, Arrays.copyOfRange(reference, 28, 40), 0, 12));
            assertEquals(List.of(0), List.copyOf(fx.woken));
            fx.first().run();
            byte[] sent = fx.first().onlyOutput();
            assertArrayEquals(Arrays.copyOfRange(reference, 20, 40), Arrays.copyOfRange(sent, 20, 40));
            assertEquals(0x45, sent[0]);
            assertEquals(40, TestFrames.get16(sent, 2));
            assertEquals(64, sent[8] & 0xff);
            assertEquals(17, sent[9]);
            assertArrayEquals(Arrays.copyOfRange(reference, 12, 20), Arrays.copyOfRange(sent, 12, 20));
            assertEquals(1, socket.info().txSent());
            assertEquals(1, fx.first().count(UdpSocketOutputNode.NAME, "sent"));
            socket.close();
            fx.assertAllBuffersFree();
        }
    }

    @Test
    void unboundSourceComesFromTheRoutingTableAndNoRouteIsADrop() {
        try (L4Fixture fx = new L4Fixture()) {
            UdpSocket socket = fx.sockets.bind(0, 0);
            assertTrue(socket.localPort() >= UdpPortTable.EPHEMERAL_FIRST, "ephemeral port " + socket.localPort());
            socket.send(PEER, 53, ByteBuffer.wrap(payload(30, 1)));
            fx.first().run();
            byte[] sent = fx.first().onlyOutput();
            assertEquals(US, TestFrames.get16(sent, 12) << 16 | TestFrames.get16(sent, 14));
            assertEquals(socket.localPort(), TestFrames.get16(sent, 20));

            fx.routeSource = 0;
            socket.send(PEER, 53, ByteBuffer.wrap(payload(30, 1)));
            fx.first().run();
            assertEquals(0, fx.first().out.count);
            assertEquals(1, fx.first().count(UdpSocketOutputNode.NAME, "no-route"));
            assertEquals(1, socket.info().txDropped());
            socket.close();
            fx.assertAllBuffersFree();
        }
    }

    @Test
    void receivedDatagramReachesTheSocketWithItsSender() throws Exception {
        try (L4Fixture fx = new L4Fixture()) {
            UdpSocket socket = fx.sockets.bind(US, 4000);
            byte[] data = payload(100, 5);
            fx.first().inject(L4Fixture.udp(PEER, 4321, US, 4000, data), TO_UDP);
            fx.first().run();
            fx.assertAllBuffersFree(); // the worker's buffer went back at once
            assertEquals(1, socket.info().rxQueued());
            UdpDatagram d = new UdpDatagram(2048);
            assertTrue(socket.receive(d, 1, TimeUnit.SECONDS));
            assertArrayEquals(data, Arrays.copyOf(d.payload(), d.length()));
            assertEquals(PEER, d.remoteAddress());
            assertEquals(4321, d.remotePort());
            assertFalse(d.truncated());
            assertFalse(socket.receive(d));

            fx.first().inject(L4Fixture.udp(PEER, 4321, US, 4000, data), TO_UDP);
            fx.first().run();
            UdpDatagram small = new UdpDatagram(10);
            assertTrue(socket.receive(small));
            assertTrue(small.truncated());
            assertArrayEquals(Arrays.copyOf(data, 10), small.payload());
            socket.close();
        }
    }

    @Test
    void blockingReceiveWaitsForADatagramOrTheTimeout() throws Exception {
        try (L4Fixture fx = new L4Fixture()) {
            UdpSocket socket = fx.sockets.bind(US, 4000);
            UdpDatagram d = new UdpDatagram(64);
            long start = System.nanoTime();
            assertFalse(socket.receive(d, 50, TimeUnit.MILLISECONDS));
            long waited = System.nanoTime() - start;
            assertTrue(waited >= TimeUnit.MILLISECONDS.toNanos(50) && waited < TimeUnit.SECONDS.toNanos(5),
                    "waited " + waited + " ns");

            CompletableFuture<Void> worker = CompletableFuture.runAsync(() -> {
                sleepQuietly(100);
                fx.first().inject(L4Fixture.udp(PEER, 1, US, 4000, payload(8, 9)), TO_UDP);
                fx.first().run();
            });
            assertTrue(socket.receive(d, 10, TimeUnit.SECONDS));
            assertEquals(8, d.length());
            worker.get(10, TimeUnit.SECONDS);

            AtomicReference<Boolean> result = new AtomicReference<>();
            Thread receiver = Thread.ofPlatform().start(() -> {
                try {
                    result.set(socket.receive(new UdpDatagram(8), 30, TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            sleepQuietly(50);
            socket.close(); // wakes the receiver, which gives up
            receiver.join(10_000);
            assertFalse(receiver.isAlive(), "close did not wake the blocked receiver");
            assertEquals(Boolean.FALSE, result.get());
        }
    }

    @Test
    void fullReceiveQueueDropsByName() {
        try (L4Fixture fx = new L4Fixture()) {
            UdpSocket socket = fx.sockets.bind(US, 4000, 2, 2);
            for (int i = 0; i < 5; i++) {
                fx.first().inject(L4Fixture.udp(PEER, 1, US, 4000, payload(8, i)), TO_UDP);
            }
            fx.first().run();
            assertEquals(2, fx.first().count(Udp4InputNode.NAME, "delivered"));
            assertEquals(3, fx.first().count(Udp4InputNode.NAME, "socket-queue-full"));
            UdpSocketInfo info = socket.info();
            assertEquals(2, info.rxQueued());
            assertEquals(3, info.rxDropped());
            fx.assertAllBuffersFree();
            socket.close();
        }
    }

    @Test
    void closeUnbindsAndFreesEverything() {
        try (L4Fixture fx = new L4Fixture()) {
            UdpSocket socket = fx.sockets.bind(0, 4000);
            for (int i = 0; i < 3; i++) {
                fx.first().inject(L4Fixture.udp(PEER, 1, US, 4000, payload(8, i)), TO_UDP);
            }
            fx.first().run(); // three datagrams wait in the receive queue
            for (int i = 0; i < 3; i++) {
                socket.send(PEER, 9, payload(8, i), 0, 8); // queued, not yet sent
            }
            socket.close();
            socket.close(); // idempotent
            assertTrue(socket.isClosed());
            assertNull(fx.table.lookup(US, 4000));
            assertEquals(List.of(), fx.sockets.snapshot());
            assertEquals(0, socket.info().rxQueued());
            fx.first().run();
            assertEquals(0, fx.first().out.count, "datagrams queued before close were sent after it");
            assertThrows(IllegalStateException.class, () -> socket.send(PEER, 9, new byte[1], 0, 1));

            fx.first().inject(L4Fixture.udp(PEER, 1, US, 4000, payload(8, 0)), TO_UDP);
            fx.first().run();
            assertEquals(1, fx.first().count(Udp4InputNode.NAME, "no-listener"));
            fx.first().out.freeAll();
            fx.assertAllBuffersFree();
            fx.sockets.bind(0, 4000).close(); // the port is free again
        }
    }

    @Test
    void sendRefusesWhatCannotBeSent() {
        try (L4Fixture fx = new L4Fixture()) {
            UdpSocket socket = fx.sockets.bind(US, 4000, 2, 2);
            assertEquals(2048 - 28, socket.maxPayload());
            IllegalArgumentException tooBig = assertThrows(IllegalArgumentException.class,
                    () -> socket.send(PEER, 9, new byte[socket.maxPayload() + 1], 0, socket.maxPayload() + 1));
            assertTrue(tooBig.getMessage().contains("198.18.0.2:4000"), tooBig.getMessage());
            assertThrows(IllegalArgumentException.class, () -> socket.send(PEER, 0, new byte[1], 0, 1));
            assertThrows(IllegalArgumentException.class, () -> socket.send(0, 9, new byte[1], 0, 1));
            assertTrue(socket.send(PEER, 9, new byte[socket.maxPayload()], 0, socket.maxPayload()));
            assertTrue(socket.send(PEER, 9, new byte[1], 0, 1));
            assertFalse(socket.send(PEER, 9, new byte[1], 0, 1), "tx queue of 2 is full");
            assertEquals(1, socket.info().txDropped());
            fx.first().run();
            assertEquals(2, fx.first().out.count);
            fx.first().out.freeAll();
            assertTrue(socket.send(PEER, 9, new byte[1], 0, 1), "slots come back once sent");
            socket.close();
        }
    }

    @Test
    void bindConflictsNameTheHolder() {
        try (L4Fixture fx = new L4Fixture()) {
            UdpSocket any = fx.sockets.bind(0, 5353);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> fx.sockets.bind(US, 5353));
            assertTrue(e.getMessage().contains("0.0.0.0:5353"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> fx.sockets.startEcho(0, 5353));
            any.close();
            UdpSocket specific = fx.sockets.bind(US, 5353);
            e = assertThrows(IllegalArgumentException.class, () -> fx.sockets.bind(0, 5353));
            assertTrue(e.getMessage().contains("198.18.0.2:5353"), e.getMessage());
            UdpSocket other = fx.sockets.bind(PEER, 5353); // another address, same port: fine
            assertSame(other, fx.table.lookup(PEER, 5353));
            assertThrows(IllegalArgumentException.class, () -> fx.sockets.bind(0, 70000));
            specific.close();
            other.close();
            assertEquals(0, fx.table.size());
        }
    }

    @Test
    void socketsAreSpreadOverWorkersAndEachWorkerSendsForItsOwn() {
        try (L4Fixture fx = new L4Fixture(2, 1000, 50)) {
            List<UdpSocket> sockets = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                sockets.add(fx.sockets.bind(US, 7000 + i));
            }
            assertEquals(List.of(0, 1, 0, 1), sockets.stream().map(UdpSocket::worker).toList());
            sockets.get(1).send(PEER, 9, new byte[3], 0, 3);
            assertEquals(List.of(1), List.copyOf(fx.woken));
            fx.workers.get(0).run();
            assertEquals(0, fx.workers.get(0).out.count);
            fx.workers.get(1).run();
            assertEquals(1, fx.workers.get(1).out.count);
            fx.workers.get(1).out.freeAll();

            List<UdpSocketInfo> list = fx.sockets.snapshot();
            assertEquals(4, list.size());
            UdpSocketInfo one = list.stream().filter(s -> s.localPort() == 7001).findFirst().orElseThrow();
            assertEquals("198.18.0.2:7001", one.localEndpoint());
            assertEquals(1, one.worker());
            assertEquals(1, one.txSent());
            sockets.forEach(UdpSocket::close);
            fx.assertAllBuffersFree();
        }
    }

    /**
     * Three workers on three threads deliver into one socket with a small queue while the test thread receives:
     * every datagram arrives exactly once (a producer resends what its worker dropped as queue-full).
     */
    @Test
    void severalProducerWorkersIntoOneSocketLoseAndDuplicateNothing() throws Exception {
        int producers = 3;
        int perProducer = 3000;
        try (L4Fixture fx = new L4Fixture(producers, 1000, 50)) {
            UdpSocket socket = fx.sockets.bind(US, 4000, 16, 2);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            List<CompletableFuture<Void>> running = new ArrayList<>();
            ExecutorService threads = Executors.newFixedThreadPool(producers); // one thread per worker, truly parallel
            for (int p = 0; p < producers; p++) {
                L4Fixture.Worker w = fx.workers.get(p);
                int producer = p;
                running.add(CompletableFuture.runAsync(() -> produce(w, producer, perProducer, deadline), threads));
            }
            boolean[][] seen = new boolean[producers][perProducer];
            UdpDatagram d = new UdpDatagram(16);
            int received = 0;
            while (received < producers * perProducer && System.nanoTime() < deadline) {
                if (!socket.receive(d, 10, TimeUnit.MILLISECONDS)) {
                    continue;
                }
                int producer = d.payload()[0];
                int seq = TestFrames.get16(d.payload(), 1);
                assertFalse(seen[producer][seq], "duplicate " + producer + "/" + seq);
                seen[producer][seq] = true;
                received++;
            }
            for (CompletableFuture<Void> f : running) {
                f.get(10, TimeUnit.SECONDS);
            }
            threads.shutdown();
            assertEquals(producers * perProducer, received);
            assertFalse(socket.receive(d));
            socket.close();
        }
    }

    private static void produce(L4Fixture.Worker w, int producer, int count, long deadline) {
        byte[] data = new byte[3];
        data[0] = (byte) producer;
        long dropped = 0;
        for (int seq = 0; seq < count; seq++) {
            TestFrames.put16(data, 1, seq);
            while (true) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("producer " + producer + " timed out at " + seq);
                }
                w.inject(L4Fixture.udp(PEER, 1, US, 4000, data), TO_UDP);
                w.run();
                long now = w.count(Udp4InputNode.NAME, "socket-queue-full");
                if (now == dropped) {
                    break;
                }
                dropped = now;
                Thread.onSpinWait();
            }
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
