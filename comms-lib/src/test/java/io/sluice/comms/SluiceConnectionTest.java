package io.sluice.comms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.core.config.VclConfig;
import io.sluice.core.util.AllocationMeter;
import io.sluice.core.wire.Ip4Address;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import io.sluice.core.tcp.conn.TcpState;
import io.sluice.session.app.TcpInfo;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Listen, accept, connect, read, write and close against an embedded stack with a TAP into a namespace the stack
 * makes: sessions to the stack's own address are local (cut-through), the kernel side refuses unknown ports.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SluiceConnectionTest {

    /** The stack's own address (connections to it are local, cut-through) and the kernel peer's. */

    @TempDir
    Path dir;

    private TapStack stack;
    private Sluice sluice;

    @BeforeEach
    void start() throws Exception {
        String reason = TapStack.unavailableReason();
        assumeTrue(reason == null, reason);
        stack = TapStack.start("conn-test", dir, "198.18.9", "slc");
        sluice = stack.sluice();
    }

    @AfterEach
    void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void bytesGoBothWaysThroughEveryBufferKindAndTheWrongThreadIsRefused() throws Exception {
        // The client is a second application on the same stack (one application talking to itself: below).
        VclConfig toEmbedded = stack.peerConfig();
        try (SluiceListener listener = sluice.listen(Ip4Address.ANY, 7100, 4);
                Sluice peer = Sluice.attach("conn-peer", toEmbedded)) {
            SluiceConnection client = peer.connect(stack.stackAddress(), 7100, 5_000);
            SluiceConnection server = listener.accept(5_000);

            byte[] hello = "hello".getBytes();
            assertEquals(5, client.write(hello, 0, 5));
            byte[] in = new byte[5];
            assertEquals(5, readFully(server, in));
            assertArrayEquals(hello, in);

            ByteBuffer direct = ByteBuffer.allocateDirect(3).put(new byte[] {1, 2, 3}).flip();
            assertEquals(3, server.write(direct));
            ByteBuffer heap = ByteBuffer.allocate(3);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (heap.hasRemaining() && System.nanoTime() < deadline) {
                client.read(heap);
                client.session().worker().waitUntil(() -> client.readableBytes() > 0, 10);
            }
            assertArrayEquals(new byte[] {1, 2, 3}, heap.array());

            AtomicReference<SluiceException> wrong = new AtomicReference<>();
            Thread other = Thread.ofPlatform().name("intruder").start(() -> {
                try {
                    client.write(hello, 0, 5);
                } catch (SluiceException e) {
                    wrong.set(e);
                }
            });
            other.join(5_000);
            assertEquals(SluiceException.Code.WRONG_THREAD, wrong.get().code());
            assertTrue(wrong.get().getMessage().contains("intruder")
                    && wrong.get().getMessage().contains(Thread.currentThread().getName()), wrong.get().getMessage());

            client.close();
            server.close();
        }
    }

    @Test
    void anApplicationConnectsToItsOwnListenerThroughCutThrough() throws Exception {
        try (SluiceListener listener = sluice.listen(Ip4Address.ANY, 7110, 4)) {
            SluiceConnection client = sluice.connect(stack.stackAddress(), 7110, 5_000);
            SluiceConnection server = listener.accept(5_000);
            assertTrue(client.session().isCutThrough() && server.session().isCutThrough(),
                    "both ends of one channel in one application, on one worker");
            byte[] ping = "ping".getBytes();
            assertEquals(4, client.write(ping, 0, 4));
            byte[] in = new byte[4];
            assertEquals(4, readFully(server, in));
            assertArrayEquals(ping, in);
            assertEquals(4, server.write(in, 0, 4));
            byte[] back = new byte[4];
            assertEquals(4, readFully(client, back));
            assertArrayEquals(ping, back);
            client.close();
            server.close();
        }
    }

    @Test
    void readsAndWritesOfEveryBufferKindAllocateNothingInSteadyState() throws Exception {
        VclConfig toEmbedded = stack.peerConfig();
        try (SluiceListener listener = sluice.listen(Ip4Address.ANY, 7102, 4);
                Sluice peer = Sluice.attach("alloc-peer", toEmbedded)) {
            SluiceConnection client = peer.connect(stack.stackAddress(), 7102, 5_000);
            SluiceConnection server = listener.accept(5_000);
            byte[] array = new byte[1000];
            ByteBuffer direct = ByteBuffer.allocateDirect(1000);
            ByteBuffer heap = ByteBuffer.allocate(1000);
            MemorySegment segment = Arena.ofAuto().allocate(1000);
            ByteBuffer[] gather = {ByteBuffer.allocateDirect(400), ByteBuffer.allocate(600)};
            ByteBuffer[] scatter = {ByteBuffer.allocate(300), ByteBuffer.allocateDirect(700)};
            long allocated = AllocationMeter.allocatedInSteadyState(() -> {
                try {
                    for (int i = 0; i < 50; i++) {
                        // Cut-through: the bytes are in the shared FIFO as soon as the write returns.
                        assertEquals(1000, client.write(array, 0, 1000));
                        assertEquals(1000, server.read(heap.clear()));
                        assertEquals(1000, server.write(direct.clear()));
                        assertEquals(1000, client.read(segment, 0, 1000));
                        assertEquals(1000, client.write(segment, 0, 1000));
                        assertEquals(1000, server.read(array, 0, 1000));
                        assertEquals(1000, client.write(gather, 0, 2));
                        assertEquals(1000, server.read(scatter, 0, 2));
                        gather[0].clear();
                        gather[1].clear();
                        scatter[0].clear();
                        scatter[1].clear();
                    }
                } catch (SluiceException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertEquals(0, allocated, "bytes allocated per 400 reads and writes");
            client.close();
            server.close();
        }
    }

    @Test
    void scatterGatherAddressesAndBufferSizes() throws Exception {
        try (SluiceListener listener = sluice.listen(Ip4Address.ANY, 7106, 4);
                Sluice peer = Sluice.attach("sg-peer", stack.peerConfig())) {
            SluiceConnection client = peer.connect(stack.stackAddress(), 7106, 5_000);
            SluiceConnection server = listener.accept(5_000);
            assertEquals(client.localAddress(), server.remoteAddress());
            assertEquals(new InetSocketAddress(SluiceAddresses.inet(stack.stackAddress()), 7106),
                    client.remoteAddress());
            assertTrue(client.isCutThrough());
            assertEquals(sluice.config().rxFifoSize(), server.receiveBufferSize());
            assertEquals(peer.config().txFifoSize(), client.sendBufferSize());

            ByteBuffer[] out = {ByteBuffer.wrap("ab".getBytes()), ByteBuffer.allocate(0),
                ByteBuffer.wrap("cdef".getBytes())};
            assertEquals(6, client.write(out, 0, 3));
            assertEquals(6, client.unsentBytes(), "the peer has not read yet");
            ByteBuffer first = ByteBuffer.allocate(3);
            ByteBuffer second = ByteBuffer.allocate(10);
            ByteBuffer[] in = {first, second};
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            long got = 0;
            while (got < 6 && System.nanoTime() < deadline) {
                got += server.read(in, 0, 2);
            }
            assertEquals(6, got);
            assertEquals("abc", new String(first.array()));
            assertEquals("def", new String(second.array(), 0, second.position()));
            assertThrows(IndexOutOfBoundsException.class, () -> server.read(in, 1, 2));
            client.close();
            assertEquals(-1, readUntilEnd(server, in), "end of stream through the scattering read");
            server.close();
        }
    }

    private static long readUntilEnd(SluiceConnection connection, ByteBuffer[] into) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            into[0].clear();
            into[1].clear();
            long n = connection.read(into, 0, 2);
            if (n < 0) {
                return n;
            }
            connection.session().worker().waitUntil(() -> connection.readableBytes() > 0
                    || connection.session().isPeerClosed(), 10);
        }
        return 0;
    }

    @Test
    void tcpInfoReportsTheKernelPeersConnectionAndSaysWhenThereIsNoTcp() throws Exception {
        Process kernelEcho = stack.startKernelEcho(7300);
        try {
            SluiceConnection tcp = sluice.connect(stack.kernelAddress(), 7300, 5_000);
            byte[] data = new byte[64 << 10];
            int written = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (written < data.length && System.nanoTime() < deadline) {
                written += tcp.write(data, written, data.length - written);
            }
            byte[] back = new byte[data.length];
            assertEquals(data.length, readFully(tcp, back), "the kernel echoed everything");

            TcpInfo info = tcp.tcpInfo();
            assertFalse(info.isCutThrough());
            assertEquals(TcpState.ESTABLISHED, info.state());
            assertTrue(info.srttMicros() > 0, "an RTT was measured: " + info);
            assertEquals(1460, info.mss(), "the TAP's 1500-byte MTU: " + info);
            assertTrue(info.congestionWindow() >= info.mss() && info.sendWindow() > 0, info.toString());
            tcp.close();
            SluiceException closed = assertThrows(SluiceException.class, tcp::tcpInfo);
            assertEquals(SluiceException.Code.CLOSED, closed.code(), closed.getMessage());
        } finally {
            kernelEcho.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        try (SluiceListener listener = sluice.listen(Ip4Address.ANY, 7301, 4)) {
            SluiceConnection local = sluice.connect(stack.stackAddress(), 7301, 5_000);
            assertTrue(local.tcpInfo().isCutThrough(), "no TCP between two applications of one stack");
            local.close();
            listener.accept(5_000).close();
        }
    }

    @Test
    void afterTheClientShutsDownOutputTheServerReadsEndOfStreamAndStillAnswers() throws Exception {
        VclConfig toEmbedded = stack.peerConfig();
        try (SluiceListener listener = sluice.listen(Ip4Address.ANY, 7103, 4);
                Sluice peer = Sluice.attach("half-peer", toEmbedded)) {
            SluiceConnection client = peer.connect(stack.stackAddress(), 7103, 5_000);
            SluiceConnection server = listener.accept(5_000);
            client.setNoDelay(true);
            assertEquals(4, client.write("ping".getBytes(), 0, 4));
            client.shutdownOutput();
            byte[] in = new byte[8];
            assertEquals(4, readFully(server, new byte[4]));
            assertEquals(-1, server.read(in, 0, in.length, 5_000), "end of stream after the client's FIN");
            assertEquals(4, server.write("pong".getBytes(), 0, 4));
            byte[] answer = new byte[4];
            assertEquals(4, readFully(client, answer), "the client still reads after shutting down output");
            assertArrayEquals("pong".getBytes(), answer);
            server.close();
            client.close();
        }
    }

    @Test
    void shutdownInputEndsReadsAndKeepaliveChecksItsNumbers() throws Exception {
        try (SluiceListener listener = sluice.listen(Ip4Address.ANY, 7105, 4)) {
            SluiceConnection client = sluice.connect(stack.stackAddress(), 7105, 5_000);
            SluiceConnection server = listener.accept(5_000);
            client.setKeepAlive(true, 30, 5, 3); // accepted; a cut-through session has no network to probe
            client.setKeepAlive(false, 0, 0, 0);
            SluiceException bad = assertThrows(SluiceException.class, () -> client.setKeepAlive(true, 0, 5, 3));
            assertTrue(bad.getMessage().contains("each must be 1 to 65535"), bad.getMessage());

            server.shutdownInput();
            assertEquals(4, client.write("late".getBytes(), 0, 4));
            assertEquals(-1, server.read(new byte[8], 0, 8, 1_000), "reads end once the input is shut");
            assertEquals(4, server.write("back".getBytes(), 0, 4), "writing goes on");
            byte[] back = new byte[4];
            assertEquals(4, readFully(client, back));
            assertArrayEquals("back".getBytes(), back);
            client.close();
            server.close();
        }
    }

    @Test
    void anAbortedPeerShowsAsResetOnTheOtherSide() throws Exception {
        VclConfig toEmbedded = stack.peerConfig();
        try (SluiceListener listener = sluice.listen(Ip4Address.ANY, 7104, 4);
                Sluice peer = Sluice.attach("reset-peer", toEmbedded)) {
            SluiceConnection client = peer.connect(stack.stackAddress(), 7104, 5_000);
            SluiceConnection server = listener.accept(5_000);
            client.abort();
            byte[] in = new byte[8];
            SluiceException e = assertThrows(SluiceException.class, () -> {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (System.nanoTime() < deadline) {
                    server.read(in, 0, in.length, 100);
                }
            });
            assertTrue(e.code() == SluiceException.Code.RESET || e.code() == SluiceException.Code.ABORTED,
                    e.code() + ": " + e.getMessage());
        }
    }

    @Test
    void connectingToAKernelPortNobodyListensOnIsRefused() {
        SluiceException e = assertThrows(SluiceException.class,
                () -> sluice.connect(stack.kernelAddress(), 7199, 5_000));
        assertEquals(SluiceException.Code.REFUSED, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains("198.18.9.1:7199"), e.getMessage());
    }

    @Test
    void acceptTimesOutNamingThePort() throws Exception {
        try (SluiceListener listener = sluice.listen(Ip4Address.ANY, 7101, 4)) {
            assertEquals(null, listener.acceptNow());
            SluiceException e = assertThrows(SluiceException.class, () -> listener.accept(50));
            assertEquals(SluiceException.Code.TIMED_OUT, e.code());
            assertTrue(e.getMessage().contains("7101"), e.getMessage());
        }
    }

    private static int readFully(SluiceConnection connection, byte[] into) throws Exception {
        int got = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (got < into.length && System.nanoTime() < deadline) {
            int n = connection.read(into, got, into.length - got, 100);
            if (n < 0) {
                break;
            }
            got += n;
        }
        return got;
    }
}
