package io.sluice.comms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.core.config.ConfigException;
import io.sluice.core.config.VclConfig;
import io.sluice.core.sys.EventFd;
import io.sluice.core.sys.SyscallException;
import io.sluice.session.app.AppWorker;
import io.sluice.session.attach.AttachServer;
import io.sluice.session.attach.MemfdAttachHandler;
import io.sluice.session.attach.NamespaceTable;
import io.sluice.session.msg.SessionStatus;
import io.sluice.session.segment.SegmentLimits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attaching, per-thread workers and detaching, against a real attach server that hands out memfd segments and
 * message queues (the test needs no packet engine for these).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SluiceTest {

    @TempDir
    Path dir;

    private final EventFd[] wakeups = {eventFd(), eventFd()};
    private final MemfdAttachHandler handler = new MemfdAttachHandler(SegmentLimits.DEFAULT,
            List.of(wakeups[0].fd(), wakeups[1].fd()));
    private AttachServer server;
    private VclConfig vcl;

    @BeforeEach
    void startServer() throws Exception {
        server = AttachServer.start(dir.resolve("app.sock"), AttachServer.DEFAULT_MODE, new NamespaceTable(),
                handler);
        handler.announceThrough(server);
        vcl = VclConfig.parse("test", "vcl {\n  app-socket-api " + server.path() + "\n}\n");
    }

    @AfterEach
    void stopServer() throws Exception {
        server.close();
        handler.close();
        for (EventFd wakeup : wakeups) {
            wakeup.close();
        }
    }

    @Test
    void attachGivesTheFirstThreadTheAttachWorkerAndOtherThreadsWorkersOfTheirOwn() throws Exception {
        try (Sluice sluice = Sluice.attach("comms-test", vcl)) {
            int app = sluice.application().appIndex();
            assertEquals("comms-test", sluice.name());
            AppWorker mine = sluice.worker();
            assertSame(sluice.application().firstWorker(), mine, "the first thread gets the attach's worker");
            assertSame(mine, sluice.worker(), "a thread keeps its worker");

            AtomicReference<AppWorker> other = new AtomicReference<>();
            Thread thread = Thread.ofPlatform().name("other-thread").start(() -> {
                try {
                    other.set(sluice.worker());
                } catch (SluiceException e) {
                    throw new IllegalStateException(e);
                }
            });
            thread.join(10_000);
            assertNotSame(mine, other.get(), "another thread gets a worker of its own");
            assertEquals(2, handler.workerCount(app), "ADD_WORKER reached the stack");
            assertEquals(2, sluice.threadCount());

            // The other thread ended without releasing: the next lookup of a worker gives its worker back.
            Thread third = Thread.ofPlatform().name("third-thread").start(() -> {
                try {
                    sluice.worker();
                    sluice.releaseThread();
                } catch (SluiceException e) {
                    throw new IllegalStateException(e);
                }
            });
            third.join(10_000);
            assertEquals(1, sluice.threadCount(), "the ended thread's worker and the released one are gone");
            assertEquals(1, handler.workerCount(app), "DEL_WORKER reached the stack for both");
        }
        assertTrue(eventually(() -> handler.applicationCount() == 0), "close detaches");
    }

    @Test
    void theAttachWorkerPassesToTheNextThreadWhenItsThreadReleasesIt() throws Exception {
        try (Sluice sluice = Sluice.attach("comms-test", vcl)) {
            AppWorker first = sluice.worker();
            sluice.releaseThread();
            AtomicReference<AppWorker> next = new AtomicReference<>();
            Thread thread = Thread.ofPlatform().start(() -> {
                try {
                    next.set(sluice.worker());
                } catch (SluiceException e) {
                    throw new IllegalStateException(e);
                }
            });
            thread.join(10_000);
            assertSame(first, next.get());
            assertEquals(1, handler.workerCount(sluice.application().appIndex()));
        }
    }

    @Test
    void aClosedApplicationSaysClosed() throws Exception {
        Sluice sluice = Sluice.attach("comms-test", vcl);
        sluice.close();
        sluice.close();
        SluiceException e = assertThrows(SluiceException.class, sluice::worker);
        assertEquals(SluiceException.Code.CLOSED, e.code());
        assertTrue(e.getMessage().contains("comms-test"), e.getMessage());
    }

    @Test
    void noStackListeningIsNotAttachedNamingTheSocket() {
        VclConfig nowhere = VclConfig.parse("test", "vcl {\n  app-socket-api " + dir.resolve("none.sock")
                + "\n}\n");
        SluiceException e = assertThrows(SluiceException.class, () -> Sluice.attach("comms-test", nowhere));
        assertEquals(SluiceException.Code.NOT_ATTACHED, e.code());
        assertTrue(e.getMessage().contains("none.sock") && e.getMessage().contains("comms-test"), e.getMessage());
    }

    @Test
    void attachFromTheEnvironmentReadsTheFileTheSystemPropertyNames() throws Exception {
        Path file = dir.resolve("vcl.conf");
        Files.writeString(file, "vcl {\n  app-socket-api " + server.path() + "\n}\n");
        String before = System.getProperty("sluice.vcl.config");
        System.setProperty("sluice.vcl.config", file.toString());
        try (Sluice sluice = Sluice.attach("from-file")) {
            assertEquals(1, handler.applicationCount());
            Files.writeString(file, "vcl {\n  no-such-key 1\n}\n");
            ConfigException bad = assertThrows(ConfigException.class, () -> Sluice.attach("bad"));
            assertTrue(bad.getMessage().contains("no-such-key") && bad.getMessage().contains(":2"),
                    bad.getMessage());
        } finally {
            if (before == null) {
                System.clearProperty("sluice.vcl.config");
            } else {
                System.setProperty("sluice.vcl.config", before);
            }
        }
    }

    @Test
    void everySessionStatusMapsToACode() {
        for (SessionStatus status : SessionStatus.values()) {
            assertTrue(SluiceException.codeOf(status) != null, status.name());
        }
        assertEquals(SluiceException.Code.REFUSED, SluiceException.codeOf(SessionStatus.REFUSED));
        assertEquals(SluiceException.Code.NO_SPACE, SluiceException.codeOf(SessionStatus.NO_PORT));
    }

    /** The server notices a detach on its own thread: polls for up to five seconds. */
    private static boolean eventually(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    private static EventFd eventFd() {
        try {
            return EventFd.create(0, EventFd.EFD_NONBLOCK | EventFd.EFD_CLOEXEC);
        } catch (SyscallException e) {
            throw new IllegalStateException(e);
        }
    }
}
