package io.sluice.comms;

import static io.sluice.comms.SluicePoller.EDGE;
import static io.sluice.comms.SluicePoller.ERR;
import static io.sluice.comms.SluicePoller.HUP;
import static io.sluice.comms.SluicePoller.IN;
import static io.sluice.comms.SluicePoller.OUT;
import static io.sluice.comms.SluicePoller.RDHUP;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.core.sys.Epoll;
import io.sluice.core.util.AllocationMeter;
import io.sluice.core.wire.Ip4Address;
import io.sluice.session.app.AppWorker;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The poller against an embedded stack with a TAP into a namespace it makes: connections to the stack's own address
 * are cut through to a second application ({@code peer}), the kernel side refuses unknown ports.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SluicePollerTest {

    /** How long any one condition is waited for before the test fails. */
    private static final long PATIENCE_NANOS = TimeUnit.SECONDS.toNanos(5);

    @TempDir
    Path dir;

    private TapStack stack;
    private Sluice sluice;
    private Sluice peer;
    /** What a test opened with {@link #open} or {@link #wire}, closed after it. */
    private SluiceListener listener;
    private SluicePoller poller;
    /** A cut-through pair from {@link #wire}: the server on {@code sluice}, its client on {@code peer}. */
    private SluiceConnection server;
    private SluiceConnection client;

    @BeforeEach
    void start() throws Exception {
        stack = TapStack.startOrSkip("poller-test", dir, "198.18.11", "slp");
        sluice = stack.sluice();
        peer = Sluice.attach("poller-peer", stack.peerConfig());
    }

    @AfterEach
    void stop() throws SluiceException {
        try {
            for (SluiceConnection connection : new SluiceConnection[] {client, server}) {
                if (connection != null) {
                    connection.close();
                }
            }
            if (poller != null) {
                poller.close();
            }
            if (listener != null && !listener.appListener().isClosed()) {
                listener.close();
            }
        } finally {
            if (peer != null) {
                peer.close();
            }
            if (stack != null) {
                stack.close();
            }
        }
    }

    /** A listener on {@code port} and this thread's poller. */
    private void open(int port) throws SluiceException {
        listener = sluice.listen(Ip4Address.ANY, port, 4);
        poller = sluice.poller();
    }

    /** {@link #open}, and a connection from {@code peer} (on this thread too) accepted on the listener. */
    private void wire(int port) throws SluiceException {
        open(port);
        client = peer.connect(stack.stackAddress(), port, 5_000);
        server = listener.accept(5_000);
    }

    @Test
    void levelTriggeredReportsUntilDrainedEdgeTriggeredOncePerArrival() throws Exception {
        wire(7400);
        poller.add(server, IN, "server");
        assertEquals(0, poller.waitFor(0), "nothing to read yet");

        assertEquals(100, client.write(new byte[100], 0, 100));
        assertEquals(IN, readyBits(poller, server));
        assertEquals("server", poller.readyAttachment(0));
        assertSame(server, poller.readyTarget(0));
        for (int i = 0; i < 3; i++) {
            assertEquals(1, poller.waitFor(0), "level-triggered: reported again while bytes wait");
            assertEquals(IN, poller.readyEvents(0));
        }
        assertEquals(100, server.read(new byte[200], 0, 200));
        assertEquals(0, poller.waitFor(0), "drained: no longer ready");

        poller.modify(server, IN | EDGE);
        assertEquals(0, poller.waitFor(0), "nothing readable when re-armed");
        for (int arrival = 0; arrival < 3; arrival++) {
            assertEquals(10, client.write(new byte[10], 0, 10));
            assertEquals(IN, readyBits(poller, server), "arrival " + arrival);
            assertEquals(0, poller.waitFor(0), "edge-triggered: once per arrival, though bytes still wait");
            assertEquals(0, poller.waitFor(20));
        }
        assertEquals(30, server.read(new byte[100], 0, 100));
        poller.modify(server, IN | EDGE);
        assertEquals(0, poller.waitFor(0), "modify reports only what is ready");
    }

    @Test
    void outComesBackWhenAFullFifoDrains() throws Exception {
        wire(7401);
        poller.add(server, OUT, null);
        assertEquals(OUT, readyBits(poller, server), "an empty tx FIFO has room");
        // Level-triggered, filled exactly (no short write asked for the dequeue event): the poller asks for it.
        int written = fill(server);
        assertEquals(0, poller.waitFor(0), "full after " + written + " bytes");
        assertEquals(0, poller.waitFor(20));
        assertEquals(written, drain(client, written), "the peer takes everything");
        assertEquals(OUT, readyBits(poller, server), "room again");
        assertEquals(1, poller.waitFor(-1), "level-triggered: still room, and a negative timeout returns with it");

        poller.modify(server, OUT | EDGE);
        assertEquals(OUT, readyBits(poller, server), "modify reports what is ready");
        assertEquals(0, poller.waitFor(0), "edge-triggered: once");
        for (int round = 0; round < 2; round++) {
            written = fill(server);
            assertEquals(0, server.write(new byte[1], 0, 1), "the write that takes less than it offers");
            assertEquals(0, poller.waitFor(0), "round " + round + ": full");
            assertEquals(written, drain(client, written));
            assertEquals(OUT, readyBits(poller, server), "round " + round + ": room again, once");
            assertEquals(0, poller.waitFor(0));
        }
    }

    @Test
    void peerCloseIsInAndRdhupAndBothSidesShutIsHup() throws Exception {
        wire(7402);
        poller.add(server, IN | RDHUP, null);
        server.shutdownOutput();
        assertEquals(0, poller.waitFor(0), "this side's shut output alone is neither IN nor a hang-up");
        client.close();
        int bits = readyBits(poller, server);
        assertEquals(IN | RDHUP | HUP, bits, "peer closed, own output shut: " + Integer.toHexString(bits));
        assertEquals(-1, server.read(new byte[8], 0, 8), "the IN is end of stream");
        assertEquals(1, poller.waitFor(0), "level-triggered: a closed side stays ready");
        server.close();
        assertEquals(0, poller.size(), "a closed connection leaves the set");
    }

    @Test
    void peerCloseWithoutOwnShutdownIsNoHangUp() throws Exception {
        wire(7403);
        poller.add(server, IN | RDHUP | OUT | EDGE, null);
        assertEquals(OUT, readyBits(poller, server));
        client.close();
        assertEquals(IN | RDHUP | OUT, readyBits(poller, server), "half closed: no HUP");
        assertEquals(0, poller.waitFor(0), "edge-triggered: once");
    }

    @Test
    void resetIsErrAndHup() throws Exception {
        wire(7404);
        poller.add(server, IN, "reset");
        client.abort();
        int bits = readyBits(poller, server);
        assertEquals(ERR | HUP | IN, bits, "ERR and HUP come unasked: " + Integer.toHexString(bits));
        SluiceException e = assertThrows(SluiceException.class, () -> server.read(new byte[8], 0, 8));
        assertTrue(e.code() == SluiceException.Code.RESET || e.code() == SluiceException.Code.ABORTED,
                e.code() + ": " + e.getMessage());
        server.abort();
        assertFalse(poller.contains(server));
    }

    @Test
    void aListenerIsReadableWhenAConnectionWaits() throws Exception {
        open(7405);
        poller.add(listener, IN, "listener");
        assertEquals(0, poller.waitFor(0));
        client = peer.connect(stack.stackAddress(), 7405, 5_000);
        assertEquals(IN, readyBits(poller, listener));
        assertEquals("listener", poller.readyAttachment(0));
        assertEquals(1, poller.waitFor(0), "level-triggered: until accepted");
        server = listener.acceptNow();
        assertNotNull(server);
        assertEquals(0, poller.waitFor(0), "accepted: nothing waits");

        poller.modify(listener, IN | EDGE);
        SluiceConnection second = peer.connect(stack.stackAddress(), 7405, 5_000);
        assertEquals(IN, readyBits(poller, listener));
        assertEquals(0, poller.waitFor(0), "edge-triggered: once per connection");
        SluiceConnection secondServer = listener.acceptNow();
        assertNotNull(secondServer);
        second.close();
        secondServer.close();
        listener.close();
        assertEquals(0, poller.size(), "a closed listener leaves the set");
    }

    @Test
    void aConnectUnderWayIsWritableWhenUpAndInErrorWhenRefused() throws Exception {
        open(7406);
        SluicePendingConnect up = sluice.startConnect(stack.stackAddress(), 7406, 5_000);
        SluicePendingConnect refused = sluice.startConnect(stack.kernelAddress(), 7499, 5_000);
        poller.add(up, OUT, "up");
        poller.add(refused, OUT, "refused");
        int upBits = 0;
        int refusedBits = 0;
        long deadline = System.nanoTime() + PATIENCE_NANOS;
        while ((upBits == 0 || refusedBits == 0) && System.nanoTime() < deadline) {
            int n = poller.waitFor(100);
            for (int i = 0; i < n; i++) {
                if (poller.readyTarget(i) == up) {
                    upBits = poller.readyEvents(i);
                    assertEquals("up", poller.readyAttachment(i));
                } else if (poller.readyTarget(i) == refused) {
                    refusedBits = poller.readyEvents(i);
                }
            }
        }
        assertEquals(OUT, upBits, "connected");
        assertEquals(OUT | ERR | HUP, refusedBits, "refused");
        assertTrue(up.isDone() && refused.isDone());

        client = up.finish();
        assertNotNull(client);
        assertSame(client, up.finish(), "finish hands over the same connection");
        assertFalse(poller.contains(up), "finished: it left the set");
        server = listener.accept(5_000);
        assertEquals(3, client.write("abc".getBytes(), 0, 3));
        poller.add(server, IN, null);
        assertEquals(IN, readyBits(poller, server));

        SluiceException e = assertThrows(SluiceException.class, refused::finish);
        assertEquals(SluiceException.Code.REFUSED, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains("connecting to 198.18.11.1:7499"), e.getMessage());
        assertFalse(poller.contains(refused));
        assertEquals(SluiceException.Code.CLOSED,
                assertThrows(SluiceException.class, () -> poller.add(up, OUT, null)).code());
    }

    @Test
    void aCancelledConnectLeavesNoConnectionBehind() throws Exception {
        listener = sluice.listen(Ip4Address.ANY, 7407, 4);
        // Cancelled before the stack answered, and after it answered but before finish: both are reset.
        SluicePendingConnect early = peer.startConnect(stack.stackAddress(), 7407, 5_000);
        early.cancel();
        SluicePendingConnect late = peer.startConnect(stack.stackAddress(), 7407, 5_000);
        long deadline = System.nanoTime() + PATIENCE_NANOS;
        while (!late.isDone() && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertTrue(late.isDone());
        late.cancel();
        AppWorker connecting = peer.worker();
        assertTrue(connecting.waitUntil(() -> connecting.sessionCount() == 0, 5_000),
                "no session left on the connecting side: " + connecting.sessionCount());
        SluiceException e = assertThrows(SluiceException.class, early::finish);
        assertEquals(SluiceException.Code.CLOSED, e.code());
        assertTrue(e.getMessage().contains("cancelled"), e.getMessage());
        // The accepting side saw both connections come and go.
        for (int i = 0; i < 2; i++) {
            SluiceConnection accepted = listener.accept(5_000);
            assertTrue(endsWithResetOrEof(accepted), "accepted connection " + i + " ended");
            accepted.close();
        }
    }

    @Test
    void waitTimesOutWithinBoundsAndWaitZeroReturnsAtOnce() throws Exception {
        open(7408);
        assertEquals(0, poller.waitFor(0), "an empty set");
        poller.add(listener, IN, null);
        long started = System.nanoTime();
        for (int i = 0; i < 100; i++) {
            assertEquals(0, poller.waitFor(0));
        }
        long zeroMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertTrue(zeroMillis < 500, "100 waits of 0 took " + zeroMillis + " ms");

        started = System.nanoTime();
        assertEquals(0, poller.waitFor(300));
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertTrue(millis >= 295 && millis < 2_000, "wait(300) took " + millis + " ms");
    }

    @Test
    void misuseIsRefusedWithClearErrors() throws Exception {
        wire(7409);
        poller.add(server, IN, null);
        SluiceException twice = assertThrows(SluiceException.class, () -> poller.add(server, OUT, null));
        assertEquals(SluiceException.Code.OTHER, twice.code());
        assertTrue(twice.getMessage().contains("already"), twice.getMessage());
        SluiceException unknown = assertThrows(SluiceException.class, () -> poller.remove(listener));
        assertEquals(SluiceException.Code.OTHER, unknown.code());
        assertTrue(unknown.getMessage().contains("not in"), unknown.getMessage());
        assertThrows(SluiceException.class, () -> poller.modify(listener, IN));
        assertThrows(IllegalArgumentException.class, () -> poller.modify(server, 0x40));
        SluiceException second = assertThrows(SluiceException.class, () -> sluice.poller());
        assertTrue(second.getMessage().contains("already has"), second.getMessage());

        // Another thread's poller calls, and another thread's connection.
        AtomicReference<SluiceException> intruder = new AtomicReference<>();
        AtomicReference<SluiceConnection> theirs = new AtomicReference<>();
        Thread other = Thread.ofPlatform().name("intruder").start(() -> {
            try {
                poller.waitFor(0);
            } catch (SluiceException e) {
                intruder.set(e);
            }
            try {
                theirs.set(sluice.connect(stack.stackAddress(), 7409, 5_000));
                theirs.get().close();
                sluice.releaseThread();
            } catch (SluiceException e) {
                throw new IllegalStateException(e);
            }
        });
        other.join(10_000);
        assertEquals(SluiceException.Code.WRONG_THREAD, intruder.get().code());
        assertTrue(intruder.get().getMessage().contains("intruder"), intruder.get().getMessage());
        assertNotNull(theirs.get());
        SluiceException foreign = assertThrows(SluiceException.class, () -> poller.add(theirs.get(), IN, null));
        assertEquals(SluiceException.Code.WRONG_THREAD, foreign.code());
        assertTrue(foreign.getMessage().contains("intruder"), foreign.getMessage());
        listener.accept(5_000).close();

        poller.remove(server);
        assertFalse(poller.contains(server));
        server.close();
        SluiceException closed = assertThrows(SluiceException.class, () -> poller.add(server, IN, null));
        assertEquals(SluiceException.Code.CLOSED, closed.code());
        client.close();
        poller.close();
        assertThrows(SluiceException.class, () -> poller.waitFor(0));
        sluice.poller().close(); // the thread may make another once it was closed
    }

    @Test
    void aConnectionClosedWhileReadyIsNotReported() throws Exception {
        wire(7410);
        poller.add(server, IN, null);
        assertEquals(4, client.write("data".getBytes(), 0, 4));
        assertEquals(IN, readyBits(poller, server));
        assertEquals(4, client.write("more".getBytes(), 0, 4));
        server.close();
        assertEquals(0, poller.size());
        for (int i = 0; i < 5; i++) {
            assertEquals(0, poller.waitFor(10), "no stale report after close");
        }
    }

    @Test
    void theEventFdBecomesReadableWhenDataArrivesWhileTheSleepIsAnnounced() throws Exception {
        wire(7411);
        try (Epoll external = Epoll.create(1)) {
            poller.add(server, IN, null);
            external.add(poller.eventFd().fd(), Epoll.EPOLLIN, 0);
            assertTrue(poller.prepareToSleep());
            assertEquals(0, poller.waitFor(0)); // withdraws the announcement and resets the counter
            assertTrue(poller.prepareToSleep(), "nothing waits: the loop may sleep");
            assertEquals(0, external.waitFor(0), "not readable while nothing came");

            assertEquals(5, client.write("hello".getBytes(), 0, 5));
            assertEquals(1, external.waitFor(5_000), "the peer's write rang the eventfd");
            assertEquals(1, poller.waitFor(0));
            assertEquals(IN, poller.readyEvents(0));
            assertEquals(0, external.waitFor(0), "wait reset the eventfd");
            assertFalse(poller.prepareToSleep(), "something is ready: do not sleep");
            assertEquals(5, server.read(new byte[8], 0, 8));
            assertEquals(0, poller.waitFor(0));
            assertTrue(poller.prepareToSleep());
            assertEquals(0, poller.waitFor(0));
        }
    }

    @Test
    void aWaitingThreadIsWokenPromptlyByArrivingBytes() throws Exception {
        AtomicLong wroteAt = new AtomicLong();
        AtomicReference<Exception> writerFailure = new AtomicReference<>();
        open(7412);
        Thread writer = Thread.ofPlatform().name("writer").start(() -> {
            try {
                SluiceConnection writing = peer.connect(stack.stackAddress(), 7412, 5_000);
                Thread.sleep(300); // the poller's thread is asleep by then
                wroteAt.set(System.nanoTime());
                writing.write("wake".getBytes(), 0, 4);
                Thread.sleep(200);
                writing.close();
                peer.releaseThread();
            } catch (Exception e) {
                writerFailure.set(e);
            }
        });
        server = listener.accept(5_000);
        poller.add(server, IN, null);
        assertEquals(1, poller.waitFor(10_000));
        long wokeAt = System.nanoTime();
        writer.join(10_000);
        assertNull(writerFailure.get());
        long millis = TimeUnit.NANOSECONDS.toMillis(wokeAt - wroteAt.get());
        assertTrue(wroteAt.get() != 0 && millis < 200, "woke " + millis + " ms after the write");
    }

    @Test
    void aSteadyWaitReadWriteCycleAllocatesNothing() throws Exception {
        wire(7413);
        poller.add(server, IN, "echo");
        byte[] out = new byte[1000];
        byte[] in = new byte[1000];
        long allocated = AllocationMeter.allocatedInSteadyState(() -> {
            try {
                for (int i = 0; i < 50; i++) {
                    assertEquals(1000, client.write(out, 0, 1000));
                    assertEquals(1, poller.waitFor(1_000));
                    SluiceConnection ready = (SluiceConnection) poller.readyTarget(0);
                    assertEquals(IN, poller.readyEvents(0));
                    assertEquals(1000, ready.read(in, 0, 1000));
                    assertEquals(1000, ready.write(in, 0, 1000));
                    assertEquals(1000, client.read(in, 0, 1000));
                }
            } catch (SluiceException e) {
                throw new IllegalStateException(e);
            }
        });
        assertEquals(0, allocated, "bytes allocated per 50 wait/read/write rounds");
    }

    @Test
    void anEdgeTriggeredLoopEchoesAMebibyteThroughTcpWithAKernelPeer() throws Exception {
        Process kernelEcho = stack.startKernelEcho(7420);
        poller = sluice.poller();
        try {
            SluicePendingConnect pending = sluice.startConnect(stack.kernelAddress(), 7420, 5_000);
            poller.add(pending, OUT | EDGE, null);
            assertEquals(OUT, readyBits(poller, pending));
            SluiceConnection tcp = pending.finish();
            assertFalse(tcp.isCutThrough());
            poller.add(tcp, IN | OUT | EDGE, "tcp");

            byte[] data = new byte[1 << 20];
            for (int i = 0; i < data.length; i++) {
                data[i] = (byte) (i * 31 + (i >>> 11));
            }
            byte[] back = new byte[data.length];
            int written = 0;
            int read = 0;
            int waits = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (read < data.length && waits < 100_000 && System.nanoTime() < deadline) {
                int n = poller.waitFor(100);
                waits++;
                for (int i = 0; i < n; i++) {
                    assertEquals("tcp", poller.readyAttachment(i));
                    int bits = poller.readyEvents(i);
                    assertEquals(0, bits & (ERR | HUP), "no error or hang-up");
                    // Edge-triggered: write until a write takes less than offered, read until a read gives 0.
                    while ((bits & OUT) != 0 && written < data.length) {
                        int offered = Math.min(64 << 10, data.length - written);
                        int w = tcp.write(data, written, offered);
                        written += w;
                        if (w < offered) {
                            break;
                        }
                    }
                    while ((bits & IN) != 0 && read < data.length) {
                        int r = tcp.read(back, read, data.length - read);
                        if (r <= 0) {
                            assertEquals(0, r, "no end of stream before the echo is back");
                            break;
                        }
                        read += r;
                    }
                }
            }
            assertEquals(data.length, read, "echoed back within " + waits + " waits");
            assertArrayEquals(data, back);
            tcp.close();
        } finally {
            kernelEcho.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /** Waits (bounded) until the poller reports {@code target}; returns its bits, or fails. */
    private static int readyBits(SluicePoller poller, SluicePollable target) throws SluiceException {
        long deadline = System.nanoTime() + PATIENCE_NANOS;
        while (System.nanoTime() < deadline) {
            int n = poller.waitFor(100);
            for (int i = 0; i < n; i++) {
                if (poller.readyTarget(i) == target) {
                    return poller.readyEvents(i);
                }
            }
        }
        throw new AssertionError(target + " was not reported within " + PATIENCE_NANOS / 1_000_000 + " ms");
    }

    /** Writes until the tx FIFO takes nothing more; the last write fills it exactly. */
    private static int fill(SluiceConnection connection) throws SluiceException {
        int room = connection.session().writableBytes();
        int written = 0;
        byte[] chunk = new byte[4096];
        for (int i = 0; i < 100_000 && written < room; i++) {
            written += connection.write(chunk, 0, Math.min(chunk.length, room - written));
        }
        assertEquals(0, connection.session().writableBytes(), "the tx FIFO is full");
        return written;
    }

    /** Reads {@code bytes} bytes (bounded in time). */
    private static int drain(SluiceConnection connection, int bytes) throws SluiceException {
        byte[] into = new byte[8192];
        int got = 0;
        long deadline = System.nanoTime() + PATIENCE_NANOS;
        while (got < bytes && System.nanoTime() < deadline) {
            int n = connection.read(into, 0, Math.min(into.length, bytes - got), 10);
            if (n < 0) {
                break;
            }
            got += n;
        }
        return got;
    }

    /** Whether reading {@code connection} ends (end of stream, reset or abort) within the patience. */
    private static boolean endsWithResetOrEof(SluiceConnection connection) {
        long deadline = System.nanoTime() + PATIENCE_NANOS;
        byte[] into = new byte[64];
        try {
            while (System.nanoTime() < deadline) {
                if (connection.read(into, 0, into.length, 50) < 0) {
                    return true;
                }
            }
            return false;
        } catch (SluiceException e) {
            return e.code() == SluiceException.Code.RESET || e.code() == SluiceException.Code.ABORTED;
        }
    }
}
