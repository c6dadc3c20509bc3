package io.sluice.examples.bench;

import io.sluice.comms.Sluice;
import io.sluice.comms.SluiceConnection;
import io.sluice.comms.SluiceListener;
import io.sluice.core.config.VclConfig;
import io.sluice.core.wire.Ip4Address;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * One side of {@code bench cut-through}, in its own JVM: a stream of {@link #WRITE_BYTES} writes from a sender to
 * a receiver for a given time, through a Sluice connection (the application library, {@code io.sluice.comms}) or a
 * kernel loopback TCP connection (NIO, blocking). The receiver prints {@code ready} once it listens and, at the end
 * of the stream, {@code result <bytes> <nanos> <bytes allocated per read>}: the time runs from the first byte to the
 * end of stream.
 *
 * <p>For {@code bench rr}: an echo server and a client that sends {@link #RR_BYTES} and waits for them back, for a
 * given time, waiting either by busy-polling ({@code poll}) or by sleeping on the worker's eventfd after a short
 * spin ({@code eventfd}); the client prints {@code result <round trips> <nanos> <p50 ns> <p99 ns>}.
 *
 * <pre>
 * sluice-recv SOCKET PORT          sluice-send SOCKET ADDRESS PORT SECONDS
 * kernel-recv PORT                 kernel-send PORT SECONDS
 * sluice-echo SOCKET PORT MODE     sluice-ping SOCKET ADDRESS PORT SECONDS MODE
 * kernel-echo PORT                 kernel-ping PORT SECONDS
 * </pre>
 */
public final class StreamPeer {

    static final int WRITE_BYTES = 128 << 10;
    static final int FIFO_BYTES = 4 << 20;
    static final int RR_BYTES = 64;
    /** Latency samples kept (the first round trips after warm-up). */
    private static final int SAMPLES = 1 << 20;
    private static final int TIMEOUT_MILLIS = 30_000;

    private StreamPeer() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "sluice-recv" -> sluiceReceive(Path.of(args[1]), Integer.parseInt(args[2]));
            case "sluice-send" -> sluiceSend(Path.of(args[1]), Ip4Address.parse(args[2]).bits(),
                    Integer.parseInt(args[3]), Double.parseDouble(args[4]));
            case "kernel-recv" -> kernelReceive(Integer.parseInt(args[1]));
            case "kernel-send" -> kernelSend(Integer.parseInt(args[1]), Double.parseDouble(args[2]));
            case "sluice-echo" -> sluiceEcho(Path.of(args[1]), Integer.parseInt(args[2]), args[3].equals("poll"));
            case "sluice-ping" -> sluicePing(Path.of(args[1]), Ip4Address.parse(args[2]).bits(),
                    Integer.parseInt(args[3]), Double.parseDouble(args[4]), args[5].equals("poll"));
            case "kernel-echo" -> kernelEcho(Integer.parseInt(args[1]));
            case "kernel-ping" -> kernelPing(Integer.parseInt(args[1]), Double.parseDouble(args[2]));
            default -> throw new IllegalArgumentException("mode " + args[0]);
        }
    }

    private static Sluice attach(Path socket, String name) throws Exception {
        VclConfig defaults = VclConfig.defaults();
        return Sluice.attach(name, new VclConfig(FIFO_BYTES, FIFO_BYTES, 64 << 20, defaults.addSegmentSize(),
                Optional.of(socket), true, 1024, Optional.empty(), 0, true, true));
    }

    private static void sluiceReceive(Path socket, int port) throws Exception {
        try (Sluice sluice = attach(socket, "stream-recv");
                SluiceListener listener = sluice.listen(Ip4Address.ANY, port, 4)) {
            System.out.println("ready");
            SluiceConnection connection = listener.accept(TIMEOUT_MILLIS);
            if (!connection.isCutThrough()) {
                throw new IllegalStateException("the connection is not cut through: " + connection);
            }
            byte[] buffer = new byte[WRITE_BYTES];
            long bytes = 0;
            long reads = 0;
            long first = 0;
            long allocatedBefore = allocated();
            while (true) {
                int n = connection.read(buffer, 0, buffer.length, TIMEOUT_MILLIS);
                if (n < 0) {
                    break;
                }
                if (n == 0) {
                    throw new IllegalStateException("nothing for " + TIMEOUT_MILLIS + " ms after " + bytes);
                }
                if (first == 0) {
                    first = System.nanoTime();
                }
                bytes += n;
                reads++;
            }
            long nanos = System.nanoTime() - first;
            long perRead = (allocated() - allocatedBefore) / Math.max(1, reads);
            System.out.println("result " + bytes + " " + nanos + " " + perRead);
            connection.close();
        }
    }

    private static void sluiceSend(Path socket, int address, int port, double seconds) throws Exception {
        try (Sluice sluice = attach(socket, "stream-send")) {
            SluiceConnection connection = sluice.connect(address, port, TIMEOUT_MILLIS);
            byte[] chunk = new byte[WRITE_BYTES];
            long end = System.nanoTime() + (long) (seconds * 1e9);
            while (System.nanoTime() < end) {
                connection.writeFully(chunk, 0, chunk.length, TIMEOUT_MILLIS);
            }
            connection.close();
            connection.session().awaitCleanup(TIMEOUT_MILLIS);
        }
    }

    private static void kernelReceive(int port) throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress("127.0.0.1", port));
            System.out.println("ready");
            try (SocketChannel channel = server.accept()) {
                ByteBuffer buffer = ByteBuffer.allocateDirect(WRITE_BYTES);
                long bytes = 0;
                long reads = 0;
                long first = 0;
                long allocatedBefore = allocated();
                while (true) {
                    buffer.clear();
                    int n = channel.read(buffer);
                    if (n < 0) {
                        break;
                    }
                    if (first == 0) {
                        first = System.nanoTime();
                    }
                    bytes += n;
                    reads++;
                }
                long nanos = System.nanoTime() - first;
                System.out.println("result " + bytes + " " + nanos + " " + (allocated() - allocatedBefore)
                        / Math.max(1, reads));
            }
        }
    }

    private static void kernelSend(int port, double seconds) throws Exception {
        try (SocketChannel channel = SocketChannel.open(new InetSocketAddress("127.0.0.1", port))) {
            ByteBuffer chunk = ByteBuffer.allocateDirect(WRITE_BYTES);
            long end = System.nanoTime() + (long) (seconds * 1e9);
            while (System.nanoTime() < end) {
                chunk.clear();
                while (chunk.hasRemaining()) {
                    channel.write(chunk);
                }
            }
        }
    }

    private static void sluiceEcho(Path socket, int port, boolean poll) throws Exception {
        try (Sluice sluice = attach(socket, "rr-echo");
                SluiceListener listener = sluice.listen(Ip4Address.ANY, port, 4)) {
            System.out.println("ready");
            SluiceConnection connection = listener.accept(TIMEOUT_MILLIS);
            byte[] message = new byte[RR_BYTES];
            while (readMessage(connection, message, poll)) {
                connection.write(message, 0, RR_BYTES); // 64 bytes always fit: the client waits for each answer
            }
            connection.close();
        }
    }

    private static void sluicePing(Path socket, int address, int port, double seconds, boolean poll)
            throws Exception {
        try (Sluice sluice = attach(socket, "rr-ping")) {
            SluiceConnection connection = sluice.connect(address, port, TIMEOUT_MILLIS);
            byte[] message = new byte[RR_BYTES];
            long[] samples = new long[SAMPLES];
            long count = 0;
            long start = System.nanoTime();
            long end = start + (long) (seconds * 1e9);
            long now = start;
            while (now < end) {
                connection.write(message, 0, RR_BYTES);
                if (!readMessage(connection, message, poll)) {
                    throw new IllegalStateException("the echo server closed");
                }
                long after = System.nanoTime();
                samples[(int) (count % SAMPLES)] = after - now;
                count++;
                now = after;
            }
            report(count, now - start, samples);
            connection.close();
            connection.session().awaitCleanup(TIMEOUT_MILLIS);
        }
    }

    /**
     * Reads one whole message, busy-polling (a read with timeout 0 polls the worker and never sleeps) or sleeping on
     * the worker's eventfd after a short spin; false at end of stream.
     */
    private static boolean readMessage(SluiceConnection connection, byte[] message, boolean poll) throws Exception {
        int got = 0;
        long deadline = System.nanoTime() + TIMEOUT_MILLIS * 1_000_000L;
        while (got < RR_BYTES) {
            int n = connection.read(message, got, RR_BYTES - got, poll ? 0 : 100);
            if (n < 0) {
                return false;
            }
            got += n;
            if (n == 0 && System.nanoTime() > deadline) {
                throw new IllegalStateException("no answer for " + TIMEOUT_MILLIS + " ms");
            }
        }
        return true;
    }

    private static void kernelEcho(int port) throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress("127.0.0.1", port));
            System.out.println("ready");
            try (SocketChannel channel = server.accept()) {
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                ByteBuffer message = ByteBuffer.allocateDirect(RR_BYTES);
                while (true) {
                    message.clear();
                    while (message.hasRemaining()) {
                        if (channel.read(message) < 0) {
                            return;
                        }
                    }
                    message.flip();
                    while (message.hasRemaining()) {
                        channel.write(message);
                    }
                }
            }
        }
    }

    private static void kernelPing(int port, double seconds) throws Exception {
        try (SocketChannel channel = SocketChannel.open(new InetSocketAddress("127.0.0.1", port))) {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ByteBuffer message = ByteBuffer.allocateDirect(RR_BYTES);
            long[] samples = new long[SAMPLES];
            long count = 0;
            long start = System.nanoTime();
            long end = start + (long) (seconds * 1e9);
            long now = start;
            while (now < end) {
                message.clear();
                while (message.hasRemaining()) {
                    channel.write(message);
                }
                message.clear();
                while (message.hasRemaining()) {
                    if (channel.read(message) < 0) {
                        throw new IllegalStateException("the echo server closed");
                    }
                }
                long after = System.nanoTime();
                samples[(int) (count % SAMPLES)] = after - now;
                count++;
                now = after;
            }
            report(count, now - start, samples);
        }
    }

    /** Prints {@code result <round trips> <nanos> <p50> <p99>} from the kept samples. */
    private static void report(long count, long nanos, long[] samples) {
        long[] kept = Arrays.copyOf(samples, (int) Math.min(count, SAMPLES));
        Arrays.sort(kept);
        long p50 = kept.length == 0 ? 0 : kept[kept.length / 2];
        long p99 = kept.length == 0 ? 0 : kept[Math.min(kept.length - 1, (int) (kept.length * 0.99))];
        System.out.println("result " + count + " " + nanos + " " + p50 + " " + p99);
    }

    /** Bytes this thread has allocated on the heap so far. */
    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
                .getCurrentThreadAllocatedBytes();
    }
}
