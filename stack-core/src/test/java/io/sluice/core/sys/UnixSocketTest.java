package io.sluice.core.sys;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UnixSocketTest {

    @TempDir
    Path dir;

    private Arena arena;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeEach
    void setUp() {
        arena = Arena.ofConfined();
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
        arena.close();
    }

    private <T extends AutoCloseable> T closeLater(T closeable) {
        toClose.add(closeable);
        return closeable;
    }

    private UnixSocket[] pair(UnixSocket.Type type) throws SyscallException {
        UnixSocket[] pair = UnixSocket.pair(type);
        closeLater(pair[0]);
        closeLater(pair[1]);
        return pair;
    }

    private MemorySegment bytes(String text) {
        return arena.allocateFrom(text, StandardCharsets.UTF_8).asSlice(0, text.length());
    }

    private static String text(MemorySegment buffer, long length) {
        return new String(buffer.asSlice(0, length).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
    }

    @Test
    void passesAnEventfdAndAMemfdThatWorkOnTheReceivingSide() throws Exception {
        UnixSocket[] pair = pair(UnixSocket.Type.SEQPACKET);
        EventFd efd = closeLater(EventFd.create(0, EventFd.EFD_NONBLOCK));
        NativeFd memfd = closeLater(MemFd.create("sluice-segment", MemFd.MFD_CLOEXEC));
        MemFd.truncate(memfd, 4096);
        SharedMemory ours = closeLater(SharedMemory.map(memfd, 4096));

        assertEquals(6, pair[0].sendWithFds(bytes("attach"), List.of(efd.fd(), memfd)));

        MemorySegment buffer = arena.allocate(64);
        UnixSocket.Received received = pair[1].receiveWithFds(buffer, UnixSocket.MAX_FDS);
        assertEquals(6, received.bytes());
        assertEquals("attach", text(buffer, received.bytes()));
        assertEquals(2, received.fds().size());
        NativeFd theirEventFd = closeLater(received.fds().get(0));
        NativeFd theirMemfd = closeLater(received.fds().get(1));
        assertNotEquals(efd.fd().intValue(), theirEventFd.intValue(), "a new descriptor for the same file");
        assertTrue(Fds.isCloseOnExec(theirEventFd.intValue()), "received with MSG_CMSG_CLOEXEC");

        // The eventfd: a write on the received descriptor is read on the original.
        MemorySegment eight = arena.allocate(JAVA_LONG);
        eight.set(JAVA_LONG, 0, 3);
        assertEquals(8, theirEventFd.write(eight));
        assertEquals(3, efd.read());

        // The memfd: the receiver maps it and sees (and changes) the sender's memory.
        ours.segment().set(JAVA_LONG, 128, 0x1234_5678L);
        assertEquals(4096, MemFd.size(theirMemfd));
        try (SharedMemory theirs = SharedMemory.map(theirMemfd, 4096)) {
            assertEquals(0x1234_5678L, theirs.segment().get(JAVA_LONG, 128));
            theirs.segment().set(JAVA_LONG, 256, 99);
        }
        assertEquals(99, ours.segment().get(JAVA_LONG, 256));
    }

    @Test
    void listensOnAPathAndReportsThePeerCredentials() throws Exception {
        String path = dir.resolve("sluice.sock").toString();
        UnixSocket server = closeLater(UnixSocket.open(UnixSocket.Type.SEQPACKET, false));
        server.bind(path);
        server.listen(8);
        assertTrue(Files.exists(Path.of(path)), "bind created the socket file");
        UnixSocket client = closeLater(UnixSocket.open(UnixSocket.Type.SEQPACKET, false));
        client.connect(path);
        UnixSocket accepted = closeLater(server.accept());

        UnixSocket.PeerCredentials peer = accepted.peerCredentials();
        assertEquals(ProcessHandle.current().pid(), peer.pid());
        assertEquals((int) Files.getAttribute(Path.of("/proc/self"), "unix:uid"), peer.uid());
        assertEquals((int) Files.getAttribute(Path.of("/proc/self"), "unix:gid"), peer.gid());

        assertEquals(5, client.send(bytes("hello")));
        MemorySegment buffer = arena.allocate(16);
        assertEquals(5, accepted.receive(buffer));
        assertEquals("hello", text(buffer, 5));
    }

    @Test
    void bindsAndConnectsToAnAbstractName() throws Exception {
        String name = "@sluice-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        UnixSocket server = closeLater(UnixSocket.open(UnixSocket.Type.STREAM, false));
        server.bind(name);
        server.listen(1);
        UnixSocket client = closeLater(UnixSocket.open(UnixSocket.Type.STREAM, false));
        client.connect(name);
        UnixSocket accepted = closeLater(server.accept());
        assertEquals(2, accepted.send(bytes("ok")));
        MemorySegment buffer = arena.allocate(8);
        assertEquals(2, client.receive(buffer));
        assertTrue(Files.readString(Path.of("/proc/net/unix")).contains(name), "listed as an abstract socket");
    }

    @Test
    void tooManyDescriptorsAreRejectedBeforeSending() throws Exception {
        UnixSocket[] pair = pair(UnixSocket.Type.SEQPACKET);
        EventFd efd = closeLater(EventFd.create(0, 0));
        List<NativeFd> seventeen = new ArrayList<>();
        for (int i = 0; i < 17; i++) {
            seventeen.add(efd.fd());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> pair[0].sendWithFds(bytes("x"), seventeen));
        assertTrue(e.getMessage().contains("16") && e.getMessage().contains("17"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> pair[0].sendWithFds(bytes("x"), List.of()));
        assertThrows(IllegalArgumentException.class,
                () -> pair[0].sendWithFds(arena.allocate(0), List.of(efd.fd())));
        assertThrows(IllegalArgumentException.class, () -> pair[1].receiveWithFds(arena.allocate(8), 17));
    }

    @Test
    void moreDescriptorsThanTheReceiverAcceptsIsAnErrorThatClosesThem() throws Exception {
        UnixSocket[] pair = pair(UnixSocket.Type.SEQPACKET);
        EventFd efd = closeLater(EventFd.create(0, 0));
        pair[0].sendWithFds(bytes("four"), List.of(efd.fd(), efd.fd(), efd.fd(), efd.fd()));
        long openBefore = openDescriptors();
        IOException e = assertThrows(IOException.class, () -> pair[1].receiveWithFds(arena.allocate(16), 2));
        assertTrue(e.getMessage().contains("MSG_CTRUNC"), e.getMessage());
        assertTrue(e.getMessage().contains("2 descriptors that came were closed"), e.getMessage());
        assertEquals(openBefore, openDescriptors(), "the descriptors that arrived were closed");
    }

    @Test
    void aSeqpacketRecordLargerThanTheBufferIsAnError() throws Exception {
        UnixSocket[] pair = pair(UnixSocket.Type.SEQPACKET);
        pair[0].send(bytes("a record of 26 bytes......"));
        IOException e = assertThrows(IOException.class, () -> pair[1].receiveWithFds(arena.allocate(8), 1));
        assertTrue(e.getMessage().contains("MSG_TRUNC"), e.getMessage());
    }

    @Test
    void seqpacketKeepsRecordBoundaries() throws Exception {
        UnixSocket[] pair = pair(UnixSocket.Type.SEQPACKET);
        pair[0].send(bytes("one"));
        pair[0].send(bytes("three"));
        MemorySegment buffer = arena.allocate(64);
        assertEquals(3, pair[1].receive(buffer));
        assertEquals(5, pair[1].receive(buffer));
        assertEquals("three", text(buffer, 5));
        pair[0].send(bytes("no fds"));
        UnixSocket.Received plain = pair[1].receiveWithFds(buffer, 4);
        assertEquals(6, plain.bytes());
        assertTrue(plain.fds().isEmpty());
    }

    @Test
    void nonBlockingCallsReportWouldBlock() throws Exception {
        UnixSocket server = closeLater(UnixSocket.open(UnixSocket.Type.SEQPACKET, true));
        server.bind(dir.resolve("nb.sock").toString());
        server.listen(1);
        assertNull(server.accept(), "no pending connection");
        UnixSocket[] pair = pair(UnixSocket.Type.STREAM);
        pair[1].fd().setNonBlocking(true);
        assertEquals(Fds.WOULD_BLOCK, pair[1].receive(arena.allocate(8)));
        assertEquals(Fds.WOULD_BLOCK, pair[1].receiveWithFds(arena.allocate(8), 1).bytes());
    }

    @Test
    void shutdownAndClosedPeersAreSeen() throws Exception {
        UnixSocket[] pair = pair(UnixSocket.Type.STREAM);
        pair[0].shutdown(UnixSocket.SHUT_WR);
        assertEquals(0, pair[1].receive(arena.allocate(8)), "end of stream");
        pair[1].close();
        assertEquals(0, pair[0].receive(arena.allocate(8)), "a closed peer also reads as end of stream");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pair[0].shutdown(7));
        assertTrue(e.getMessage().contains("7"), e.getMessage());
    }

    @Test
    void sendingToAClosedPeerIsEpipeNotSigpipe() throws Exception {
        UnixSocket[] pair = pair(UnixSocket.Type.STREAM);
        pair[1].close();
        SyscallException e = assertThrows(SyscallException.class, () -> pair[0].send(bytes("lost")));
        assertEquals(Errno.EPIPE, e.errno());
        assertEquals("send", e.call());
    }

    @Test
    void connectFailuresNameThePath() throws Exception {
        String path = dir.resolve("nobody-here.sock").toString();
        UnixSocket client = closeLater(UnixSocket.open(UnixSocket.Type.STREAM, false));
        SyscallException e = assertThrows(SyscallException.class, () -> client.connect(path));
        assertEquals(Errno.ENOENT, e.errno());
        assertTrue(e.getMessage().contains("connect(") && e.getMessage().contains(path), e.getMessage());
    }

    @Test
    void addressesAreChecked() throws Exception {
        UnixSocket socket = closeLater(UnixSocket.open(UnixSocket.Type.STREAM, false));
        String tooLong = "/tmp/" + "x".repeat(103);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> socket.bind(tooLong));
        assertTrue(e.getMessage().contains("108") && e.getMessage().contains("107"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> socket.bind(""));
        assertThrows(IllegalArgumentException.class, () -> socket.bind(null));
        assertThrows(IllegalArgumentException.class, () -> socket.listen(0));
    }

    @Test
    void sockaddrUnEncodesPathsAndAbstractNames() {
        MemorySegment sockaddr = arena.allocate(SocketStructs.SOCKADDR_UN);
        assertEquals(2 + 6 + 1, UnixSocket.sockaddrUn(sockaddr, "/a/b.s"));
        assertEquals('/', sockaddr.get(JAVA_BYTE, 2));
        assertEquals(0, sockaddr.get(JAVA_BYTE, 8), "NUL-terminated");
        MemorySegment abstractAddr = arena.allocate(SocketStructs.SOCKADDR_UN);
        assertEquals(2 + 1 + 3, UnixSocket.sockaddrUn(abstractAddr, "@abc"));
        assertEquals(0, abstractAddr.get(JAVA_BYTE, 2), "abstract names start with a zero byte");
        assertArrayEquals("abc".getBytes(StandardCharsets.US_ASCII), abstractAddr.asSlice(3, 3).toArray(JAVA_BYTE));
    }

    @Test
    void structLayoutsAndCmsgArithmeticMatchGlibc() {
        assertEquals(110, SocketStructs.SOCKADDR_UN.byteSize());
        assertEquals(56, SocketStructs.MSGHDR.byteSize());
        assertEquals(16, SocketStructs.MSG_IOV_OFFSET);
        assertEquals(40, SocketStructs.MSG_CONTROLLEN_OFFSET);
        assertEquals(48, SocketStructs.MSG_FLAGS_OFFSET);
        assertEquals(16, SocketStructs.IOVEC.byteSize());
        assertEquals(16, SocketStructs.CMSGHDR.byteSize());
        assertEquals(12, SocketStructs.UCRED.byteSize());
        assertEquals(20, SocketStructs.cmsgLen(4), "CMSG_LEN(sizeof(int))");
        assertEquals(24, SocketStructs.cmsgSpace(4), "CMSG_SPACE(sizeof(int))");
        assertEquals(32, SocketStructs.cmsgSpace(12), "three fds are padded to 16 bytes of data");
        assertEquals(80, SocketStructs.cmsgSpace(4 * 16));
    }

    private static long openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
