package io.sluice.session.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.core.config.StackConfig;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ControlServerTest {

    private static final ControlTable BUFFERS = ControlTables.buffers().row(16384, 16000, 384, 256, 0, 0, 2048)
            .build();

    @TempDir
    Path dir;

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
    }

    /** Answers show buffers with a table, throws for show errors, and fails set interface state politely. */
    private static ControlReply fakeStack(ControlRequest request) {
        return switch (request) {
            case ControlRequest.ShowBuffers r -> ControlReply.of(BUFFERS);
            case ControlRequest.ShowErrors r -> throw new IllegalStateException("error counters are broken");
            case ControlRequest.ShowThreads r -> throw new NullPointerException();
            case ControlRequest.SetInterfaceState r -> ControlReply.failure("no interface '" + r.iface() + "'");
            case ControlRequest.SetRxMode r -> ControlReply.failure("no interface '" + r.iface() + "'");
            default -> ControlReply.ok();
        };
    }

    private ControlServer start(ControlHandler handler) throws IOException {
        ControlServer server = ControlServer.start(dir.resolve("cli.sock"), Optional.empty(), handler);
        toClose.add(server);
        return server;
    }

    private ControlClient client(ControlServer server) throws IOException {
        ControlClient client = ControlClient.connect(server.path());
        toClose.add(client);
        return client;
    }

    @Test
    void servesTablesAndFailures() throws Exception {
        ControlServer server = start(ControlServerTest::fakeStack);
        ControlClient client = client(server);
        assertEquals(ControlReply.of(BUFFERS), client.request(new ControlRequest.ShowBuffers()));
        assertEquals(ControlReply.failure("no interface 'tap7'"),
                client.request(new ControlRequest.SetInterfaceState("tap7", true)));
        assertEquals(ControlReply.ok(), client.request(new ControlRequest.PcapTraceOff()));
    }

    @Test
    void aThrowingHandlerBecomesAFailureAndTheConnectionSurvives() throws Exception {
        ControlClient client = client(start(ControlServerTest::fakeStack));
        assertEquals(ControlReply.failure("error counters are broken"),
                client.request(new ControlRequest.ShowErrors()));
        assertEquals(ControlReply.failure("ShowThreads failed: java.lang.NullPointerException"),
                client.request(new ControlRequest.ShowThreads()));
        assertEquals(ControlReply.of(BUFFERS), client.request(new ControlRequest.ShowBuffers()));
    }

    @Test
    void unknownVersionOrCodeIsAnsweredAndTheConnectionSurvives() throws Exception {
        ControlServer server = start(ControlServerTest::fakeStack);
        try (SocketChannel raw = SocketChannel.open(UnixDomainSocketAddress.of(server.path()))) {
            Frames.write(raw, new byte[] {9, 1});
            assertFailure(raw, "request: unsupported protocol version 9 (this side speaks version 1");
            Frames.write(raw, new byte[] {1, (byte) 0xee});
            assertFailure(raw, "request: unknown command code 0xee");
            Frames.write(raw, ControlCodec.encode(new ControlRequest.ShowBuffers()));
            assertEquals(ControlReply.of(BUFFERS), ControlCodec.decodeReply(read(raw)));
        }
    }

    @Test
    void anOversizedRequestIsAnsweredThenTheConnectionCloses() throws Exception {
        ControlServer server = start(ControlServerTest::fakeStack);
        try (SocketChannel raw = SocketChannel.open(UnixDomainSocketAddress.of(server.path()))) {
            raw.write(ByteBuffer.allocate(4).putInt(0, 1 << 20));
            assertFailure(raw, "request of 1048576 bytes is more than the limit of 4096");
            assertEquals(null, Frames.read(raw, ControlCodec.MAX_REPLY_BYTES, "reply"));
        }
        assertEquals(ControlReply.of(BUFFERS), client(server).request(new ControlRequest.ShowBuffers()));
    }

    @Test
    void aClientVanishingMidFrameDoesNotDisturbTheOthers() throws Exception {
        ControlServer server = start(ControlServerTest::fakeStack);
        try (SocketChannel raw = SocketChannel.open(UnixDomainSocketAddress.of(server.path()))) {
            raw.write(ByteBuffer.wrap(new byte[] {0, 0}));
        }
        assertEquals(ControlReply.of(BUFFERS), client(server).request(new ControlRequest.ShowBuffers()));
    }

    @Test
    void connectionsBeyondTheLimitAreToldSo() throws Exception {
        ControlServer server = start(ControlServerTest::fakeStack);
        for (int i = 0; i < ControlServer.MAX_CONNECTIONS; i++) {
            // A reply proves the server counts the connection before the next one arrives.
            assertEquals(ControlReply.ok(), client(server).request(new ControlRequest.ShowIpFib()));
        }
        try (SocketChannel extra = SocketChannel.open(UnixDomainSocketAddress.of(server.path()))) {
            assertFailure(extra, "the stack already serves 16 control connections; try again later");
            assertEquals(null, read(extra));
        }
    }

    @Test
    void twoClientsAreServedAtOnce() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger handled = new AtomicInteger();
        ControlServer server = start(request -> {
            handled.incrementAndGet();
            if (request instanceof ControlRequest.ShowRuntime) {
                assertTrue(release.await(10, TimeUnit.SECONDS));
            }
            return fakeStack(request);
        });
        ControlClient first = client(server);
        ControlClient second = client(server);
        // The first client's request holds the handler; the second waits for it, then both get their answers.
        Thread slow = Thread.ofVirtual().start(() -> {
            try {
                assertEquals(ControlReply.ok(), first.request(new ControlRequest.ShowRuntime()));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (handled.get() == 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(1, handled.get());
        release.countDown();
        assertEquals(ControlReply.of(BUFFERS), second.request(new ControlRequest.ShowBuffers()));
        slow.join(Duration.ofSeconds(10));
        assertFalse(slow.isAlive());
        assertEquals(2, handled.get());
    }

    @Test
    void aSlowStackTimesOutTheRequest() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        ControlServer server = start(request -> {
            release.await(10, TimeUnit.SECONDS);
            return ControlReply.ok();
        });
        try (ControlClient client = ControlClient.connect(server.path(), Duration.ofSeconds(2),
                Duration.ofMillis(200))) {
            IOException e = assertThrows(IOException.class, () -> client.request(new ControlRequest.ShowIpFib()));
            assertEquals("waiting for the stack's reply on " + server.path() + " timed out after 0.2 s",
                    e.getMessage());
            e = assertThrows(IOException.class, () -> client.request(new ControlRequest.ShowIpFib()));
            assertEquals("the control connection to " + server.path() + " is closed (after a timeout or close)",
                    e.getMessage());
        } finally {
            release.countDown();
        }
    }

    @Test
    void socketFileIsMode0660AndCloseRemovesIt() throws Exception {
        ControlServer server = start(ControlServerTest::fakeStack);
        assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(server.path())));
        server.close();
        assertFalse(Files.exists(server.path()));
        IOException e = assertThrows(IOException.class, () -> ControlClient.connect(server.path()));
        assertTrue(e.getMessage().startsWith("no stack is listening on " + server.path() + ": " + server.path()
                + " does not exist"), e.getMessage());
    }

    @Test
    void socketFileTakesTheConfiguredGroup() throws Exception {
        GroupPrincipal group = otherGroup();
        try (ControlServer server = ControlServer.start(dir.resolve("g.sock"), Optional.of(group.getName()),
                ControlServerTest::fakeStack)) {
            assertEquals(group, Files.readAttributes(server.path(), PosixFileAttributes.class).group());
        }
        // Numbers work too: the gid of the group above.
        Path probe = Files.createFile(dir.resolve("probe"));
        Files.getFileAttributeView(probe, PosixFileAttributeView.class).setGroup(group);
        String gid = String.valueOf(Files.getAttribute(probe, "unix:gid"));
        try (ControlServer server = ControlServer.start(dir.resolve("g.sock"), Optional.of(gid),
                ControlServerTest::fakeStack)) {
            assertEquals(gid, String.valueOf(Files.getAttribute(server.path(), "unix:gid")));
        }
        IOException e = assertThrows(IOException.class, () -> ControlServer.start(dir.resolve("g.sock"),
                Optional.of("no-such-group-here"), ControlServerTest::fakeStack));
        assertEquals("unix { gid no-such-group-here }: no such group, for control socket " + dir.resolve("g.sock"),
                e.getMessage());
        assertFalse(Files.exists(dir.resolve("g.sock")));
    }

    @Test
    void aStaleSocketIsReplacedAndTheClientSaysConnectionRefused() throws Exception {
        Path path = dir.resolve("cli.sock");
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(path)); // closing leaves the file, as a crashed stack does
        }
        assertTrue(Files.exists(path));
        IOException refused = assertThrows(IOException.class, () -> ControlClient.connect(path));
        assertEquals("no stack is listening on " + path + " (connection refused)", refused.getMessage());

        ControlServer server = start(ControlServerTest::fakeStack);
        assertEquals(ControlReply.of(BUFFERS), client(server).request(new ControlRequest.ShowBuffers()));
    }

    @Test
    void aLiveSocketIsNotTakenOver() throws Exception {
        ControlServer server = start(ControlServerTest::fakeStack);
        IOException e = assertThrows(IOException.class,
                () -> ControlServer.start(server.path(), Optional.empty(), ControlServerTest::fakeStack));
        assertEquals("another stack is listening on control socket " + server.path()
                + "; stop it or choose another unix { cli-listen ... }", e.getMessage());
        assertEquals(ControlReply.of(BUFFERS), client(server).request(new ControlRequest.ShowBuffers()));
    }

    @Test
    void aFileThatIsNotASocketIsLeftAlone() throws Exception {
        Path path = Files.writeString(dir.resolve("cli.sock"), "precious");
        IOException e = assertThrows(IOException.class,
                () -> ControlServer.start(path, Optional.empty(), ControlServerTest::fakeStack));
        assertTrue(e.getMessage().startsWith("control socket path " + path + " exists and is not a socket"),
                e.getMessage());
        assertEquals("precious", Files.readString(path));
    }

    @Test
    void startsWhereTheUnixSectionSays() throws Exception {
        Path path = dir.resolve("conf.sock");
        GroupPrincipal group = Files.readAttributes(dir, PosixFileAttributes.class).group();
        StackConfig.Unix unix = new StackConfig.Unix(true, false, Optional.of(path.toString()), Optional.empty(),
                false, Optional.of(group.getName()));
        try (ControlServer server = ControlServer.start(unix, ControlServerTest::fakeStack).orElseThrow()) {
            assertEquals(path, server.path());
            assertEquals(group, Files.readAttributes(path, PosixFileAttributes.class).group());
        }
        StackConfig.Unix none = new StackConfig.Unix(true, false, Optional.empty(), Optional.empty(), false,
                Optional.empty());
        assertEquals(Optional.empty(), ControlServer.start(none, ControlServerTest::fakeStack));
        assertEquals(Path.of("/run/sluice/cli.sock"), ControlServer.socketPath("cli.sock"));
        assertEquals(Path.of("/tmp/x.sock"), ControlServer.socketPath("/tmp/x.sock"));
        IOException e = assertThrows(IOException.class, () -> ControlServer.socketPath("localhost:5002"));
        assertEquals("unix { cli-listen localhost:5002 }: a TCP CLI is not supported; give a Unix socket path such"
                + " as /run/sluice/cli.sock", e.getMessage());
    }

    /**
     * A group other than the one new files get here, so that the socket having it proves the server set it. As
     * root (the usual case in CI) any group can be given; otherwise the test can only check the default.
     */
    private GroupPrincipal otherGroup() throws IOException {
        GroupPrincipal own = Files.readAttributes(dir, PosixFileAttributes.class).group();
        if (!"root".equals(System.getProperty("user.name"))) {
            return own;
        }
        for (String line : Files.readAllLines(Path.of("/etc/group"))) {
            String name = line.split(":", 2)[0];
            if (!name.isEmpty() && !name.equals(own.getName())) {
                return dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(name);
            }
        }
        return own;
    }

    private static ByteBuffer read(SocketChannel raw) throws IOException {
        return Frames.read(raw, ControlCodec.MAX_REPLY_BYTES, "reply");
    }

    private static void assertFailure(SocketChannel raw, String prefix) throws IOException {
        ControlReply reply = ControlCodec.decodeReply(read(raw));
        assertTrue(reply instanceof ControlReply.Failure f && f.message().startsWith(prefix), reply.toString());
    }
}
