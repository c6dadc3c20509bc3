package io.sluice.comms.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.comms.Sluice;
import io.sluice.comms.SluiceAddresses;
import io.sluice.comms.SluiceException;
import io.sluice.comms.TapStack;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import jdk.net.ExtendedSocketOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SluiceSocket} and {@link SluiceServerSocket} as {@code java.net} code uses them, against an embedded
 * stack with a TAP into a namespace: streams, half-close, SO_TIMEOUT, close from another thread, linger 0, options,
 * errors as {@code java.net} exceptions, several threads on one socket and many sockets at once; a kernel client in
 * the namespace talks to a Sluice server socket through the TAP.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SluiceSocketTest {

    @TempDir
    Path dir;

    private TapStack stack;
    private Sluice sluice;
    private InetAddress stackAddress;

    @BeforeEach
    void start() throws Exception {
        String reason = TapStack.unavailableReason();
        assumeTrue(reason == null, reason);
        stack = TapStack.start("socket-test", dir, "198.18.13", "slsk");
        sluice = stack.sluice();
        stackAddress = SluiceAddresses.inet(stack.stackAddress());
    }

    @AfterEach
    void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void streamsCarryBytesBothWaysAndHalfCloseEndsOneDirection() throws Exception {
        try (ServerSocket server = new SluiceServerSocketFactory(sluice).createServerSocket(7200, 8);
                Socket client = new SluiceSocketFactory(sluice).createSocket(stackAddress, 7200);
                Socket accepted = server.accept()) {
            assertTrue(client.isConnected() && accepted.isConnected());
            assertEquals(new InetSocketAddress(stackAddress, 7200), client.getRemoteSocketAddress());
            assertEquals(client.getLocalPort(), accepted.getPort());
            assertEquals(stackAddress, accepted.getLocalAddress());

            byte[] request = pattern(3 << 20, 1);
            Future<Long> sent = background(() -> {
                client.getOutputStream().write(request);
                client.shutdownOutput(); // FIN: the server's read ends, the other direction stays open
                return crc(request, request.length);
            });
            byte[] got = readToEnd(accepted.getInputStream(), request.length);
            assertEquals(sent.get(30, TimeUnit.SECONDS), crc(got, got.length), "server read every byte, then EOF");
            assertTrue(client.isOutputShutdown());

            byte[] reply = "after the half-close".getBytes(StandardCharsets.US_ASCII);
            accepted.getOutputStream().write(reply);
            accepted.close();
            assertArrayEquals(reply, readToEnd(client.getInputStream(), reply.length));
            assertEquals(-1, client.getInputStream().read(), "EOF stays EOF");
        }
    }

    @Test
    void aReadTimesOutAndTheSocketStaysUsable() throws Exception {
        try (ServerSocket server = new SluiceServerSocket(sluice, 7210, 4);
                Socket client = new SluiceSocket(sluice, stackAddress, 7210);
                Socket accepted = server.accept()) {
            client.setSoTimeout(200);
            long started = System.nanoTime();
            SocketTimeoutException timedOut = assertThrows(SocketTimeoutException.class,
                    () -> client.getInputStream().read());
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertTrue(tookMillis >= 190 && tookMillis < 3_000, "timed out after " + tookMillis + " ms");
            assertTrue(timedOut.getMessage().contains("200 ms"), timedOut.getMessage());
            accepted.getOutputStream().write(42);
            assertEquals(42, client.getInputStream().read(), "the socket still works after a timeout");
            assertEquals(200, client.getSoTimeout());
        }
    }

    @Test
    void closeFromAnotherThreadWakesABlockedReaderAndABlockedAccept() throws Exception {
        try (ServerSocket server = new SluiceServerSocket(sluice, 7220, 4);
                Socket client = new SluiceSocket(sluice, stackAddress, 7220);
                Socket accepted = server.accept()) {
            Future<IOException> reader = background(() -> {
                try {
                    client.getInputStream().read();
                    return null;
                } catch (IOException e) {
                    return e;
                }
            });
            Thread.sleep(200); // let it block
            assertFalse(reader.isDone(), "nothing to read: the reader waits");
            client.close();
            IOException failure = reader.get(5, TimeUnit.SECONDS);
            assertInstanceOf(SocketException.class, failure);
            assertEquals("Socket closed", failure.getMessage());
            assertEquals(-1, accepted.getInputStream().read(), "the peer sees the close as EOF");
        }
        ServerSocket server = new SluiceServerSocket(sluice, 7221, 4);
        Future<IOException> acceptor = background(() -> {
            try {
                server.accept();
                return null;
            } catch (IOException e) {
                return e;
            }
        });
        Thread.sleep(200);
        assertFalse(acceptor.isDone(), "no connection: accept waits");
        server.close();
        assertInstanceOf(SocketException.class, acceptor.get(5, TimeUnit.SECONDS));
        // The port is free again once the listener went.
        new SluiceServerSocket(sluice, 7221, 4).close();
    }

    @Test
    void acceptTimesOut() throws Exception {
        try (ServerSocket server = new SluiceServerSocket(sluice, 7230, 4)) {
            server.setSoTimeout(150);
            assertThrows(SocketTimeoutException.class, server::accept);
            assertEquals(150, server.getSoTimeout());
        }
    }

    @Test
    void lingerZeroResetsThePeer() throws Exception {
        try (ServerSocket server = new SluiceServerSocket(sluice, 7240, 4);
                Socket client = new SluiceSocket(sluice, stackAddress, 7240);
                Socket accepted = server.accept()) {
            client.setSoLinger(true, 0);
            assertEquals(0, client.getSoLinger());
            client.close();
            SocketException reset = assertThrows(SocketException.class, () -> accepted.getInputStream().read());
            assertTrue(reset.getMessage().startsWith("Connection reset"), reset.getMessage());
            assertInstanceOf(SluiceException.class, reset.getCause(), "the code is there for programs that want it");
        }
    }

    @Test
    void optionsAreKeptAndGivenToTheStack() throws Exception {
        try (ServerSocket server = new SluiceServerSocket(sluice, 7250, 4);
                Socket client = new SluiceSocket(sluice)) {
            client.setTcpNoDelay(true); // before connect: applied when the session exists
            client.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, 30);
            client.connect(new InetSocketAddress(stackAddress, 7250), 5_000);
            try (Socket accepted = server.accept()) {
                assertTrue(client.getTcpNoDelay());
                client.setKeepAlive(true);
                assertTrue(client.getKeepAlive());
                assertEquals(30, client.getOption(ExtendedSocketOptions.TCP_KEEPIDLE));
                assertThrows(IllegalArgumentException.class,
                        () -> client.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, 0));
                assertEquals(sluice.config().txFifoSize(), client.getSendBufferSize(), "the FIFO is the buffer");
                assertEquals(sluice.config().rxFifoSize(), accepted.getReceiveBufferSize());
                assertEquals(-1, client.getSoLinger());
                assertThrows(SocketException.class, () -> client.sendUrgentData(1));
            }
        }
    }

    @Test
    void failuresAreTheJavaNetExceptionsClientsExpect() throws Exception {
        InetAddress kernel = SluiceAddresses.inet(stack.kernelAddress());
        ConnectException refused = assertThrows(ConnectException.class, () -> new SluiceSocket(sluice, kernel, 7299));
        assertTrue(refused.getMessage().contains(kernel.getHostAddress() + ":7299"), refused.getMessage());
        assertEquals(SluiceException.Code.REFUSED, ((SluiceException) refused.getCause()).code());

        // Nobody answers ARP for .77: the connect times out at the caller's timeout.
        Socket silent = new SluiceSocket(sluice);
        long started = System.nanoTime();
        assertThrows(SocketTimeoutException.class, () -> silent.connect(
                new InetSocketAddress(InetAddress.getByName("198.18.13.77"), 80), 400));
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertTrue(tookMillis < 3_000, "gave up after " + tookMillis + " ms");
        assertTrue(silent.isClosed(), "a failed connect closes the socket, as java.net.Socket does");

        try (ServerSocket server = new SluiceServerSocket(sluice, 7260, 4)) {
            assertThrows(java.net.BindException.class, () -> new SluiceServerSocket(sluice, 7260, 4));
        }
        Socket bound = new SluiceSocket(sluice);
        assertThrows(SocketException.class, () -> bound.bind(new InetSocketAddress(stackAddress, 5555)));
        assertThrows(SocketException.class, () -> new SluiceSocket(sluice).connect(
                new InetSocketAddress(InetAddress.getByName("2001:db8::1"), 80)));
    }

    @Test
    void oneSocketReadAndWrittenByTwoThreadsAtOnce() throws Exception {
        int size = 8 << 20;
        try (ServerSocket server = new SluiceServerSocket(sluice, 7270, 4);
                Socket client = new SluiceSocket(sluice, stackAddress, 7270);
                Socket accepted = server.accept()) {
            // Echo on the server side: its own reader and writer threads, through a small relay buffer.
            Future<?> echo = background(() -> {
                byte[] buffer = new byte[16 << 10];
                InputStream in = accepted.getInputStream();
                OutputStream out = accepted.getOutputStream();
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    out.write(buffer, 0, n);
                }
                accepted.shutdownOutput();
                return null;
            });
            byte[] data = pattern(size, 7);
            Future<?> writer = background(() -> {
                OutputStream out = client.getOutputStream();
                for (int at = 0; at < size; at += 100_000) {
                    out.write(data, at, Math.min(100_000, size - at));
                }
                client.shutdownOutput();
                return null;
            });
            byte[] back = readToEnd(client.getInputStream(), size); // this thread reads while another writes
            writer.get(30, TimeUnit.SECONDS);
            echo.get(30, TimeUnit.SECONDS);
            assertEquals(crc(data, size), crc(back, back.length));
        }
    }

    @Test
    void manySocketsOnManyThreads() throws Exception {
        int threads = 6;
        int perThread = 15;
        try (ServerSocket server = new SluiceServerSocket(sluice, 7280, 64)) {
            Future<?> acceptor = background(() -> {
                List<Socket> open = new ArrayList<>();
                for (int i = 0; i < threads * perThread; i++) {
                    Socket s = server.accept();
                    open.add(s);
                    byte[] in = s.getInputStream().readNBytes(4);
                    s.getOutputStream().write(in); // echo the 4 bytes, then close
                    s.close();
                }
                return open.size();
            });
            List<Future<Integer>> clients = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int base = t * perThread;
                clients.add(background(() -> {
                    int ok = 0;
                    for (int i = 0; i < perThread; i++) {
                        try (Socket s = new SluiceSocket(sluice, stackAddress, 7280)) {
                            byte[] id = intBytes(base + i);
                            s.getOutputStream().write(id);
                            assertArrayEquals(id, s.getInputStream().readNBytes(4));
                            assertEquals(-1, s.getInputStream().read());
                            ok++;
                        }
                    }
                    return ok;
                }));
            }
            int total = 0;
            for (Future<Integer> c : clients) {
                total += c.get(60, TimeUnit.SECONDS);
            }
            assertEquals(threads * perThread, total);
            assertEquals(threads * perThread, acceptor.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void aKernelClientInTheNamespaceTalksToASluiceServerSocket() throws Exception {
        try (ServerSocket server = new SluiceServerSocket(sluice, 7290, 4)) {
            String script = "import socket,sys\n"
                    + "s=socket.create_connection(('" + stackAddress.getHostAddress() + "',7290),timeout=10)\n"
                    + "s.sendall(b'x'*200000); s.shutdown(socket.SHUT_WR)\n"
                    + "n=0\n"
                    + "while True:\n"
                    + "  b=s.recv(65536)\n"
                    + "  if not b: break\n"
                    + "  n+=len(b)\n"
                    + "print(n)\n";
            Process kernelClient = new ProcessBuilder(stack.inNamespace("python3", "-c", script))
                    .redirectErrorStream(true).start();
            try {
                server.setSoTimeout(10_000);
                try (Socket accepted = server.accept()) {
                    byte[] got = readToEnd(accepted.getInputStream(), 200_000);
                    assertEquals(200_000, got.length);
                    accepted.getOutputStream().write(got, 0, 123_456);
                }
                assertTrue(kernelClient.waitFor(20, TimeUnit.SECONDS), "the kernel client finished");
                String out = new String(kernelClient.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                assertEquals("123456", out, "what the kernel client read back");
            } finally {
                kernelClient.destroyForcibly();
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static <T> Future<T> background(java.util.concurrent.Callable<T> work) {
        ExecutorService one = Executors.newSingleThreadExecutor();
        try {
            return one.submit(work);
        } finally {
            one.shutdown();
        }
    }

    /** Reads until EOF (bounded: at most {@code expected} + 1 MiB and 30 s). */
    private static byte[] readToEnd(InputStream in, int expected) throws IOException {
        byte[] buffer = new byte[expected + (1 << 20)];
        int at = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            int n = in.read(buffer, at, buffer.length - at);
            if (n < 0) {
                return java.util.Arrays.copyOf(buffer, at);
            }
            at += n;
        }
        throw new AssertionError("no EOF within 30 s after " + at + " bytes");
    }

    private static byte[] pattern(int size, int seed) {
        byte[] data = new byte[size];
        for (int i = 0; i < size; i++) {
            data[i] = (byte) (i * 31 + seed + (i >>> 11));
        }
        return data;
    }

    private static long crc(byte[] data, int length) {
        CRC32 crc = new CRC32();
        crc.update(data, 0, length);
        return crc.getValue();
    }

    private static byte[] intBytes(int value) {
        return new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
    }
}
