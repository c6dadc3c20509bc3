package io.sluice.comms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.core.config.StackConfig;
import io.sluice.core.config.VclConfig;
import io.sluice.core.wire.Ip4Address;
import io.sluice.session.app.AppWorker;
import io.sluice.session.daemon.StackHost;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Embedded mode: a stack inside the test's JVM, with no interfaces, that the application attaches to. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EmbeddedStackTest {

    @TempDir
    Path dir;

    private StackConfig startup(int workers) {
        return StackConfig.parse("embedded", """
                unix { cli-listen %s }
                session { use-app-socket-api app-socket-api %s }
                cpu { workers %d }
                buffers { buffers-per-numa 4096 }
                """.formatted(dir.resolve("cli.sock"), dir.resolve("app.sock"), workers));
    }

    @Test
    void anEmbeddedStackServesTheApplicationAndStopsWithIt() throws Exception {
        Path attachSocket;
        try (Sluice sluice = Sluice.embedded("embedded-app", startup(1), VclConfig.defaults())) {
            StackHost host = sluice.embeddedStack().orElseThrow();
            attachSocket = host.attachSocket().orElseThrow();
            assertEquals(dir.resolve("app.sock"), attachSocket, "the stack's socket replaces vcl's");
            assertTrue(Files.exists(attachSocket));
            AppWorker worker = sluice.worker();
            assertEquals(0, worker.index());
            assertTrue(host.stack().engine().workerCount() == 1);
        }
        assertFalse(Files.exists(attachSocket), "close stops the stack and removes its attach socket");
    }

    /** 127.0.0.0/8 is the stack's loopback, reached cut through only: no listener there is a refusal, at once. */
    @Test
    void aConnectToTheStacksLoopbackWithNoListenerIsRefused() throws Exception {
        try (Sluice sluice = Sluice.embedded("embedded-app", startup(1), VclConfig.defaults())) {
            int loopback = Ip4Address.parse("127.0.0.1").bits();
            SluiceException refused = assertThrows(SluiceException.class, () -> sluice.connect(loopback, 7399, 5_000));
            assertEquals(SluiceException.Code.REFUSED, refused.code(), refused.getMessage());
            try (SluiceListener listener = sluice.listen(loopback, 7399, 4)) {
                try (SluiceConnection client = sluice.connect(loopback, 7399, 5_000);
                        SluiceConnection server = listener.accept(5_000)) {
                    assertTrue(client.isCutThrough() && server != null, "with a listener the same connect is served");
                }
            }
        }
    }

    @Test
    void singleThreadModeIsRefusedWithTheReason() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Sluice.embedded("embedded-app", startup(0), VclConfig.defaults()));
        assertTrue(e.getMessage().contains("embedded-app") && e.getMessage().contains("workers"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("app.sock")), "the stack that started was stopped again");
    }
}
