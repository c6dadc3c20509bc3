package io.sluice.session.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.core.sys.Fds;
import io.sluice.core.sys.NativeFd;
import io.sluice.core.sys.UnixSocket;
import io.sluice.session.attach.AttachCodec;
import io.sluice.session.attach.AttachMessage;
import io.sluice.session.attach.AttachStatus;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Raw attach-protocol datagrams for tests: send any bytes on a SEQPACKET socket and read the stack's one reply. */
public final class RawAttach {

    private RawAttach() {
    }

    /** A SEQPACKET socket connected to the attach socket at {@code path}. */
    public static UnixSocket connect(String path) throws Exception {
        UnixSocket socket = UnixSocket.open(UnixSocket.Type.SEQPACKET, false);
        socket.connect(path);
        return socket;
    }

    /** Sends a datagram and decodes the one reply (blocking; the class timeout bounds it). */
    public static AttachMessage exchange(UnixSocket socket, byte[] datagram, List<NativeFd> fds) throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(Math.max(1, datagram.length));
            MemorySegment.copy(datagram, 0, out, ValueLayout.JAVA_BYTE, 0, datagram.length);
            if (fds.isEmpty()) {
                socket.send(out);
            } else {
                socket.sendWithFds(out, fds);
            }
            MemorySegment in = arena.allocate(AttachCodec.MAX_MESSAGE_BYTES);
            // Bounded: a blocking receive would outlive the test's timeout, which cannot interrupt a native call.
            socket.fd().setNonBlocking(true);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            UnixSocket.Received received = socket.receiveWithFds(in, UnixSocket.MAX_FDS);
            while (received.bytes() == Fds.WOULD_BLOCK) {
                assertTrue(System.nanoTime() < deadline, "the server answered within 10 s");
                Thread.sleep(1);
                received = socket.receiveWithFds(in, UnixSocket.MAX_FDS);
            }
            assertTrue(received.bytes() > 0, "the server answered instead of closing");
            for (NativeFd fd : received.fds()) {
                fd.close();
            }
            return AttachCodec.decode(in.asSlice(0, received.bytes()).asByteBuffer(), "this application");
        }
    }

    public static AttachMessage exchange(UnixSocket socket, byte[] datagram) throws Exception {
        return exchange(socket, datagram, List.of());
    }

    /** The status and message of a refusal, whatever reply type carried it. */
    public static Map.Entry<AttachStatus, String> refusal(AttachMessage reply) {
        return switch (reply) {
            case AttachMessage.Error r -> Map.entry(r.status(), r.message());
            case AttachMessage.AttachReply r -> Map.entry(r.status(), r.message());
            case AttachMessage.AddWorkerReply r -> Map.entry(r.status(), r.message());
            case AttachMessage.DelWorkerReply r -> Map.entry(r.status(), r.message());
            default -> throw new AssertionError("not a refusal: " + reply);
        };
    }

}
