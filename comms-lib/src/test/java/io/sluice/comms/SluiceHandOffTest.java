package io.sluice.comms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.core.wire.Ip4Address;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hand-off listeners: a connection accepted on one thread and claimed by another, cut through (127.0.0.1, the
 * stack's loopback) and through TCP from a kernel peer in the namespace, with what happened before the claim (bytes,
 * the peer's FIN), rejection, and the rules (one claim, the owner thread).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SluiceHandOffTest {

    private static final int LOOPBACK = Ip4Address.parse("127.0.0.1").bits();

    @TempDir
    Path dir;

    private TapStack stack;
    private Sluice sluice;

    @BeforeEach
    void start() throws Exception {
        stack = TapStack.startOrSkip("handoff-test", dir, "198.18.15", "slh");
        sluice = stack.sluice();
    }

    @AfterEach
    void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void aCutThroughConnectionAcceptedHereIsClaimedAndUsedByAnotherThread() throws Exception {
        try (SluiceListener listener = sluice.listen(LOOPBACK, 0, 16, true);
                Sluice peer = Sluice.attach("handoff-peer", stack.peerConfig())) {
            int port = listener.port();
            assertTrue(port > 0, "port 0 picks one");
            byte[] payload = pattern(1 << 20);
            // The connector blocks until a thread claims the connection: it runs on its own thread.
            CompletableFuture<Long> echoed = CompletableFuture.supplyAsync(() -> {
                try {
                    SluiceConnection client = peer.connect(LOOPBACK, port, 5_000);
                    assertTrue(client.isCutThrough(), "127.0.0.1 is the stack's loopback: cut through");
                    byte[] back = new byte[payload.length];
                    int sent = 0;
                    int got = 0;
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                    while (got < back.length && System.nanoTime() < deadline) {
                        if (sent < payload.length) {
                            sent += client.write(payload, sent, Math.min(65536, payload.length - sent));
                        }
                        int n = client.read(back, got, back.length - got, sent < payload.length ? 0 : 100);
                        if (n < 0) {
                            break;
                        }
                        got += n;
                    }
                    client.close();
                    return got == back.length ? crc(back) : -got;
                } catch (SluiceException e) {
                    throw new IllegalStateException(e);
                }
            });

            SluiceAccepted accepted = awaitHandOff(listener);
            assertTrue(accepted.isCutThrough());
            assertEquals(LOOPBACK, SluiceAddresses.bits(accepted.remoteAddress().getAddress()));
            assertEquals(port, accepted.localAddress().getPort());

            CompletableFuture<SluiceConnection> claimed = new CompletableFuture<>();
            Thread loop = Thread.ofPlatform().name("claiming-loop").start(() -> {
                try {
                    SluiceConnection server = accepted.claim(5_000);
                    claimed.complete(server);
                    echoUntilEnd(server);
                    server.close();
                    sluice.releaseThread();
                } catch (Throwable e) {
                    claimed.completeExceptionally(e);
                }
            });
            SluiceConnection server = claimed.get(10, TimeUnit.SECONDS);
            assertEquals(crc(payload), echoed.get(30, TimeUnit.SECONDS), "1 MiB echoed intact");
            loop.join(10_000);

            SluiceException wrong = assertThrows(SluiceException.class, () -> server.write(new byte[1], 0, 1));
            assertEquals(SluiceException.Code.WRONG_THREAD, wrong.code(), "the claimer's, not the listener's");
            SluiceException again = assertThrows(SluiceException.class, () -> accepted.claim(1_000));
            assertEquals(SluiceException.Code.CLOSED, again.code(), again.getMessage());
        }
    }

    @Test
    void aTcpConnectionClaimedLateKeepsItsBytesAndThePeersClose() throws Exception {
        try (SluiceListener listener = sluice.listen(Ip4Address.ANY, 7300, 16, true)) {
            String client = "import socket\n"
                    + "s=socket.create_connection(('" + Ip4Address.format(stack.stackAddress()) + "',7300),5)\n"
                    + "s.sendall(b'early bytes'); s.shutdown(socket.SHUT_WR)\n"
                    + "print('sent', flush=True)\n"
                    + "s.settimeout(10); print(s.recv(100).decode(), flush=True)\n";
            Process process = new ProcessBuilder(stack.inNamespace("python3", "-c", client)).start();
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.US_ASCII));
                assertEquals("sent", out.readLine(), "the kernel client connected, wrote and sent its FIN");
                SluiceAccepted accepted = awaitHandOff(listener);
                assertTrue(!accepted.isCutThrough());
                // Let the bytes and the FIN reach the stack before anyone claims the connection.
                Thread.sleep(200);
                CompletableFuture<String> seen = new CompletableFuture<>();
                Thread.ofPlatform().name("late-claimer").start(() -> {
                    try {
                        SluiceConnection server = accepted.claim(5_000);
                        byte[] in = new byte[64];
                        int got = 0;
                        int n;
                        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                        while ((n = server.read(in, got, in.length - got, 100)) >= 0 && System.nanoTime() < deadline) {
                            got += n;
                        }
                        String text = new String(in, 0, got, StandardCharsets.US_ASCII) + (n < 0 ? "|EOF" : "|open");
                        server.writeFully("ack".getBytes(StandardCharsets.US_ASCII), 0, 3, 5_000);
                        server.close();
                        seen.complete(text);
                    } catch (Throwable e) {
                        seen.completeExceptionally(e);
                    }
                });
                assertEquals("early bytes|EOF", seen.get(10, TimeUnit.SECONDS),
                        "bytes before the claim are read, then the FIN that came before it");
                String answer = out.readLine();
                assertEquals("ack", answer, () -> "the claimer's answer reached the kernel peer; its errors: "
                        + errorsOf(process));
                assertTrue(process.waitFor(10, TimeUnit.SECONDS));
            } finally {
                process.destroyForcibly();
            }
        }
    }

    @Test
    void rejectingRefusesACutThroughConnectorAndResetsATcpPeer() throws Exception {
        try (SluiceListener listener = sluice.listen(Ip4Address.ANY, 7310, 16, true);
                Sluice peer = Sluice.attach("handoff-peer", stack.peerConfig())) {
            CompletableFuture<SluiceException.Code> refused = CompletableFuture.supplyAsync(() -> {
                try {
                    peer.connect(LOOPBACK, 7310, 5_000).close();
                    return null;
                } catch (SluiceException e) {
                    return e.code();
                }
            });
            SluiceAccepted accepted = awaitHandOff(listener);
            accepted.reject(5_000);
            assertEquals(SluiceException.Code.REFUSED, refused.get(10, TimeUnit.SECONDS));
            assertEquals(SluiceException.Code.CLOSED, assertThrows(SluiceException.class,
                    () -> accepted.claim(1_000)).code(), "rejected: nothing to claim");

            String client = "import socket\n"
                    + "s=socket.create_connection(('" + Ip4Address.format(stack.stackAddress()) + "',7310),5)\n"
                    + "print('connected', flush=True)\n"
                    + "s.settimeout(10)\n"
                    + "try:\n"
                    + "  print('eof' if s.recv(10) == b'' else 'data', flush=True)\n"
                    + "except ConnectionResetError:\n"
                    + "  print('reset', flush=True)\n";
            Process process = new ProcessBuilder(stack.inNamespace("python3", "-c", client)).start();
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.US_ASCII));
                assertEquals("connected", out.readLine());
                awaitHandOff(listener).reject(5_000);
                assertEquals("reset", out.readLine(), "a rejected TCP connection is reset");
            } finally {
                process.destroyForcibly();
            }
        }
    }

    @Test
    void plainAcceptOnAHandOffListenerClaimsForTheListenersThread() throws Exception {
        try (SluiceListener listener = sluice.listen(LOOPBACK, 7320, 16, true);
                Sluice peer = Sluice.attach("handoff-peer", stack.peerConfig())) {
            CompletableFuture<byte[]> reply = CompletableFuture.supplyAsync(() -> {
                try (SluiceConnection client = peer.connect(LOOPBACK, 7320, 5_000)) {
                    client.writeFully("hi".getBytes(StandardCharsets.US_ASCII), 0, 2, 5_000);
                    byte[] in = new byte[2];
                    int got = 0;
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                    while (got < 2 && System.nanoTime() < deadline) {
                        int n = client.read(in, got, 2 - got, 100);
                        if (n < 0) {
                            break;
                        }
                        got += n;
                    }
                    return in;
                } catch (SluiceException e) {
                    throw new IllegalStateException(e);
                }
            });
            SluiceConnection server = listener.accept(5_000);
            byte[] in = new byte[2];
            int got = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (got < 2 && System.nanoTime() < deadline) {
                got += Math.max(0, server.read(in, got, 2 - got, 100));
            }
            assertArrayEquals("hi".getBytes(StandardCharsets.US_ASCII), in);
            server.writeFully("ok".getBytes(StandardCharsets.US_ASCII), 0, 2, 5_000);
            assertArrayEquals("ok".getBytes(StandardCharsets.US_ASCII), reply.get(10, TimeUnit.SECONDS));
            server.close();
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static SluiceAccepted awaitHandOff(SluiceListener listener) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            SluiceAccepted accepted = listener.acceptForHandOff();
            if (accepted != null) {
                return accepted;
            }
            Thread.sleep(1);
        }
        throw new AssertionError("no connection was accepted on port " + listener.port() + " within 10 s");
    }

    private static String errorsOf(Process process) {
        try {
            process.waitFor(2, TimeUnit.SECONDS);
            return new String(process.getErrorStream().readNBytes(4096), StandardCharsets.UTF_8);
        } catch (Exception e) {
            return e.toString();
        }
    }

    /** Echoes what comes until end of stream (bounded in time). */
    private static void echoUntilEnd(SluiceConnection connection) throws SluiceException {
        byte[] buffer = new byte[65536];
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            int n = connection.read(buffer, 0, buffer.length, 100);
            if (n < 0) {
                return;
            }
            if (n > 0) {
                connection.writeFully(buffer, 0, n, 5_000);
            }
        }
        throw new AssertionError("the echo did not see the end of the stream within 20 s");
    }

    private static byte[] pattern(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (i * 31 + (i >>> 8));
        }
        return bytes;
    }

    private static long crc(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return crc.getValue();
    }
}
