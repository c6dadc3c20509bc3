package io.sluice.session.attach;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.core.sys.MemFd;
import io.sluice.core.sys.NativeFd;
import io.sluice.core.sys.UnixSocket;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The application end is as strict as the stack's: a fake stack answers with what no real one would send. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AttachClientTest {

    @TempDir
    Path dir;

    private Thread fake;
    private UnixSocket listener;

    @AfterEach
    void stop() throws Exception {
        if (listener != null) {
            listener.close();
        }
        if (fake != null) {
            fake.join(5_000);
        }
    }

    /** One scripted datagram: its bytes and the descriptors to attach. */
    private record Scripted(byte[] bytes, List<NativeFd> fds) {
        Scripted(AttachMessage message) {
            this(AttachCodec.encode(message), List.of());
        }
    }

    /**
     * A stack that accepts one connection, waits for one request and answers with the scripted datagrams (none:
     * silence), then holds the connection until the client closes it.
     */
    private Path fakeStack(Scripted... answers) throws IOException {
        Path path = dir.resolve("fake.sock");
        listener = UnixSocket.open(UnixSocket.Type.SEQPACKET, false);
        listener.bind(path.toString());
        listener.listen(1);
        fake = Thread.ofPlatform().start(() -> {
            try (UnixSocket connection = listener.accept(); Arena arena = Arena.ofConfined()) {
                MemorySegment buffer = arena.allocate(AttachCodec.MAX_MESSAGE_BYTES);
                connection.receive(buffer);
                for (Scripted answer : answers) {
                    MemorySegment out = arena.allocate(answer.bytes().length);
                    MemorySegment.copy(answer.bytes(), 0, out, ValueLayout.JAVA_BYTE, 0, answer.bytes().length);
                    if (answer.fds().isEmpty()) {
                        connection.send(out);
                    } else {
                        connection.sendWithFds(out, answer.fds());
                    }
                }
                connection.receive(buffer); // until the client closes
            } catch (IOException | RuntimeException e) {
                // the test closed the listener: done
            }
        });
        return path;
    }

    private static AttachException attachFails(Path path) throws IOException {
        try (AttachClient client = AttachClient.connect(path, 2_000)) {
            return assertThrows(AttachException.class, () -> client.attach(AttachCodecTest.ATTACH));
        }
    }

    @Test
    void aReplyWithoutTheDescriptorsItListsIsRefused() throws Exception {
        Path path = fakeStack(new Scripted(new AttachMessage.AttachReply(AttachStatus.OK, "", 0,
                List.of(new AttachMessage.Segment(1, 1 << 20)), List.of(0L), new AttachMessage.Worker(0, 1, 4096),
                List.of(FdRole.SEGMENT_MEMFD, FdRole.STACK_QUEUE_EVENTFD, FdRole.WORKER_QUEUE_EVENTFD))));
        AttachException e = attachFails(path);
        assertEquals(AttachStatus.UNEXPECTED_FDS, e.status());
        assertEquals("ATTACH_REPLY lists 3 descriptors but 0 came with it", e.getMessage());
    }

    @Test
    void aReplyOfAnotherTypeIsRefused() throws Exception {
        Path path = fakeStack(new Scripted(new AttachMessage.DelWorkerReply(AttachStatus.OK, "", 1)));
        AttachException e = attachFails(path);
        assertEquals(AttachStatus.UNEXPECTED_MESSAGE, e.status());
        assertEquals("ATTACH was answered with DEL_WORKER_REPLY", e.getMessage());
    }

    @Test
    void aStackOfAnotherVersionIsNamed() throws Exception {
        Path path = fakeStack(new Scripted(AttachCodec.encode(AttachMessage.AttachReply.refused(
                AttachStatus.BAD_SECRET, "?"), 2), List.of()));
        AttachException e = attachFails(path);
        assertEquals(AttachStatus.VERSION_MISMATCH, e.status());
        assertEquals("ATTACH_REPLY from the stack at " + path + ": protocol version 2, this application speaks 1",
                e.getMessage());
    }

    @Test
    void anErrorCarriesTheStacksStatusAndMessage() throws Exception {
        Path path = fakeStack(new Scripted(new AttachMessage.Error(AttachStatus.INTERNAL, "memfd_create failed")));
        AttachException e = attachFails(path);
        assertEquals(AttachStatus.INTERNAL, e.status());
        assertEquals("memfd_create failed", e.getMessage());
    }

    @Test
    void silenceIsATimeoutThatSaysSo() throws Exception {
        Path path = fakeStack();
        try (AttachClient client = AttachClient.connect(path, 300)) {
            long start = System.nanoTime();
            IOException e = assertThrows(IOException.class, () -> client.attach(AttachCodecTest.ATTACH));
            assertEquals("no reply to ATTACH from the stack at " + path + " within 300 ms", e.getMessage());
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(300));
        }
    }

    @Test
    void notificationsBeforeTheReplyAreKeptWithTheirDescriptors() throws Exception {
        try (NativeFd memfd = MemFd.create("sluice-test-notification", MemFd.MFD_CLOEXEC)) {
            MemFd.truncate(memfd, 8192);
            Path path = fakeStack(
                    new Scripted(AttachCodec.encode(new AttachMessage.SegmentAdd(new AttachMessage.Segment(2, 8192),
                            List.of(FdRole.SEGMENT_MEMFD))), List.of(memfd)),
                    new Scripted(new AttachMessage.SegmentRemove(2)),
                    new Scripted(AttachMessage.AttachReply.refused(AttachStatus.BAD_SECRET, "wrong secret")));
            try (AttachClient client = AttachClient.connect(path, 2_000)) {
                AttachException e = assertThrows(AttachException.class, () -> client.attach(AttachCodecTest.ATTACH));
                assertEquals(AttachStatus.BAD_SECRET, e.status());
                List<AttachClient.Notification> notifications = client.takeNotifications();
                assertEquals(2, notifications.size());
                assertInstanceOf(AttachMessage.SegmentAdd.class, notifications.get(0).message());
                NativeFd received = notifications.get(0).fds().get(0);
                assertEquals(8192, MemFd.size(received), "the notification's memfd is the stack's segment");
                received.close();
                assertEquals(new AttachMessage.SegmentRemove(2), notifications.get(1).message());
                assertTrue(client.takeNotifications().isEmpty(), "taken once");
                assertFalse(client.appIndex() >= 0);
            }
        }
    }
}
