package io.sluice.session.crossprocess;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.sluice.core.sys.NativeFd;
import io.sluice.core.sys.UnixSocket;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The little protocol between a test and its peer processes, over a SEQPACKET Unix socket: the test sends four
 * longs (region size, work count, peer id, spare) with the descriptors the peer needs (memfd, eventfd) attached
 * by SCM_RIGHTS; the peer answers with two longs (work done, checksum).
 */
final class Handoff {

    static final int REQUEST_LONGS = 4;
    static final int REPLY_LONGS = 2;

    private Handoff() {}

    /** Accepts one peer on a non-blocking listener, giving up at the deadline or when the peer died. */
    static UnixSocket accept(UnixSocket listener, long deadlineNanos, BooleanSupplier peerAlive)
            throws IOException, InterruptedException {
        while (true) {
            UnixSocket peer = listener.accept();
            if (peer != null) {
                return peer;
            }
            if (System.nanoTime() > deadlineNanos || !peerAlive.getAsBoolean()) {
                throw new IOException("peer never connected");
            }
            Thread.sleep(5);
        }
    }

    static void sendRequest(UnixSocket socket, List<NativeFd> fds, long... values) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment message = arena.allocate(REQUEST_LONGS * 8L);
            for (int i = 0; i < values.length; i++) {
                message.setAtIndex(JAVA_LONG, i, values[i]);
            }
            socket.sendWithFds(message, fds);
        }
    }

    /** A request as received by a peer: the longs and the descriptors that came with them. */
    record Request(long[] values, List<NativeFd> fds) {}

    static Request receiveRequest(UnixSocket socket) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment message = arena.allocate(REQUEST_LONGS * 8L);
            UnixSocket.Received received = socket.receiveWithFds(message, UnixSocket.MAX_FDS);
            if (received.bytes() != REQUEST_LONGS * 8L) {
                throw new IOException("request of " + received.bytes() + " bytes");
            }
            return new Request(message.toArray(JAVA_LONG), received.fds());
        }
    }

    static void sendReply(UnixSocket socket, long done, long checksum) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment message = arena.allocate(REPLY_LONGS * 8L);
            message.setAtIndex(JAVA_LONG, 0, done);
            message.setAtIndex(JAVA_LONG, 1, checksum);
            socket.send(message);
        }
    }

    static long[] receiveReply(UnixSocket socket) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment message = arena.allocate(REPLY_LONGS * 8L);
            long bytes = socket.receive(message);
            if (bytes != REPLY_LONGS * 8L) {
                throw new IOException("reply of " + bytes + " bytes");
            }
            return message.toArray(JAVA_LONG);
        }
    }
}
