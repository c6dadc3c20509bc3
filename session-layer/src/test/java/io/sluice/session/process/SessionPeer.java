package io.sluice.session.process;

import io.sluice.core.wire.Ip4Address;
import io.sluice.session.app.AppListener;
import io.sluice.session.app.AppSession;
import io.sluice.session.app.AppWorker;
import io.sluice.session.app.SessionException;
import io.sluice.session.app.SessionApplication;
import io.sluice.session.attach.AttachMessage;
import io.sluice.session.msg.SessionMessage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.zip.CRC32;

/**
 * An application process for the multi-process tests, on the session layer's application API. It prints what it
 * does, one line per step, for the test to read from its log:
 *
 * <ul>
 *   <li>{@code sink SOCKET PORT} — listens, accepts one session, reads to end of stream: {@code received N crc C};
 *   <li>{@code source SOCKET ADDRESS PORT BYTES} — connects, sends {@link TestPattern}'s first BYTES, closes:
 *       {@code sent N crc C}, then {@code cleaned up};
 *   <li>{@code hold SOCKET PORT} — listens, accepts, reads and discards until killed ({@code reading} once bytes flow).
 *   <li>{@code reattach SOCKET PORT} — attaches and listens; when the stack goes away prints {@code disconnected:
 *       <why>}, attaches again as soon as a stack is back ({@code attached as application N} each time), and after
 *       the second attach serves one session as {@code sink} does.
 * </ul>
 */
public final class SessionPeer {

    private static final int TIMEOUT_MILLIS = 30_000;

    private SessionPeer() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        Path socket = Path.of(args[1]);
        AttachMessage.Attach attach = new AttachMessage.Attach("peer-" + mode, "", 0, 4 << 20, 4 << 20, 64 << 20,
                1024, true, true);
        if (mode.equals("reattach")) {
            reattach(socket, attach, Integer.parseInt(args[2]));
            return;
        }
        try (SessionApplication app = SessionApplication.attach(socket, attach)) {
            AppWorker worker = app.firstWorker();
            System.out.println("attached as application " + app.appIndex());
            switch (mode) {
                case "sink" -> sink(worker, Integer.parseInt(args[2]), false);
                case "hold" -> sink(worker, Integer.parseInt(args[2]), true);
                case "source" -> source(worker, Ip4Address.parse(args[2]).bits(), Integer.parseInt(args[3]),
                        Long.parseLong(args[4]));
                default -> throw new IllegalArgumentException("mode " + mode);
            }
        }
        System.out.println("detached");
    }

    /** Waits for the stack to go away, then attaches again (bounded) and serves one session. */
    private static void reattach(Path socket, AttachMessage.Attach attach, int port) throws Exception {
        try (SessionApplication app = SessionApplication.attach(socket, attach)) {
            System.out.println("attached as application " + app.appIndex());
            AppWorker worker = app.firstWorker();
            worker.listen(0, port, 16, SessionMessage.FLAG_SCOPE_GLOBAL, TIMEOUT_MILLIS);
            System.out.println("listening on " + port);
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (app.checkConnection() && System.nanoTime() < deadline) {
                worker.waitUntil(() -> !app.isConnected(), 1_000);
            }
            try {
                worker.listen(0, port + 1, 16, SessionMessage.FLAG_SCOPE_GLOBAL, TIMEOUT_MILLIS);
                throw new IllegalStateException("a request went through to a stack that is gone");
            } catch (SessionException e) {
                System.out.println("disconnected: " + e.status() + ": " + e.getMessage());
            }
        }
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (true) {
            try (SessionApplication again = SessionApplication.attach(socket, attach)) {
                System.out.println("attached as application " + again.appIndex());
                sink(again.firstWorker(), port, false);
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(200); // no stack yet: try again
            }
        }
    }

    private static void sink(AppWorker worker, int port, boolean hold) throws Exception {
        AppListener listener = worker.listen(0, port, 16, SessionMessage.FLAG_SCOPE_LOCAL
                | SessionMessage.FLAG_SCOPE_GLOBAL, TIMEOUT_MILLIS);
        System.out.println("listening on " + listener.port());
        AppSession session = worker.accept(listener, 120_000);
        if (session == null) {
            throw new IllegalStateException("nobody connected");
        }
        System.out.println("accepted " + session);
        byte[] buffer = new byte[256 << 10];
        CRC32 crc = new CRC32();
        long received = 0;
        boolean told = false;
        while (true) {
            int n = session.readWait(buffer, 0, buffer.length, TIMEOUT_MILLIS);
            if (n < 0) {
                break;
            }
            if (n == 0) {
                throw new IllegalStateException("no bytes for " + TIMEOUT_MILLIS + " ms after " + received);
            }
            if (!hold) {
                crc.update(buffer, 0, n);
            } else if (!told) {
                System.out.println("reading");
                told = true;
            }
            received += n;
        }
        System.out.println("received " + received + " crc " + crc.getValue());
        session.close();
        System.out.println(session.awaitCleanup(TIMEOUT_MILLIS) ? "cleaned up" : "no cleanup");
    }

    private static void source(AppWorker worker, int address, int port, long bytes) throws Exception {
        AppSession session = worker.connect(address, port, 10_000);
        System.out.println("connected " + session + (session.isCutThrough() ? " (cut-through)" : ""));
        byte[] buffer = new byte[256 << 10];
        CRC32 crc = new CRC32();
        long sent = 0;
        while (sent < bytes) {
            int n = (int) Math.min(buffer.length, bytes - sent);
            TestPattern.fill(sent, buffer, 0, n);
            crc.update(buffer, 0, n);
            session.writeFully(buffer, 0, n, TIMEOUT_MILLIS);
            sent += n;
        }
        System.out.println("sent " + sent + " crc " + crc.getValue());
        session.close();
        System.out.println(session.awaitCleanup(TIMEOUT_MILLIS) ? "cleaned up" : "no cleanup");
    }
}
