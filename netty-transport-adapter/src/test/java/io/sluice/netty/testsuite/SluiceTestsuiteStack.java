package io.sluice.netty.testsuite;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.sluice.comms.Sluice;
import io.sluice.comms.SluiceException;
import io.sluice.core.config.StackConfig;
import io.sluice.core.config.VclConfig;
import io.sluice.netty.SluiceIoHandler;
import io.sluice.netty.SluiceNetty;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The one embedded stack Netty's test suite runs on, and its event loop groups, made on first use and torn down
 * when the test JVM exits (the suite's own NIO groups live as long, the same way). The stack has no interfaces:
 * 127.0.0.1, where the suite binds and connects, is its loopback, so every connection is cut through.
 */
final class SluiceTestsuiteStack {

    /** Loops of the boss and child groups, as Netty's suite sizes its own (SocketTestPermutation.NUM_THREADS). */
    private static final int BOSSES = 1;
    private static final int WORKERS = 3;

    static final Sluice SLUICE;
    static final EventLoopGroup BOSS_GROUP;
    static final EventLoopGroup WORKER_GROUP;

    static {
        SluiceNetty.ensureAvailability();
        Path dir = createDirectory();
        SLUICE = start(dir);
        BOSS_GROUP = new MultiThreadIoEventLoopGroup(BOSSES,
                new DefaultThreadFactory("testsuite-sluice-boss", true), factory());
        WORKER_GROUP = new MultiThreadIoEventLoopGroup(WORKERS,
                new DefaultThreadFactory("testsuite-sluice-worker", true), factory());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(dir), "testsuite-sluice-stop"));
    }

    private SluiceTestsuiteStack() {
    }

    /** @return a factory of loops over the suite's stack */
    static IoHandlerFactory factory() {
        return SluiceIoHandler.newFactory(SLUICE);
    }

    private static Path createDirectory() {
        try {
            return Files.createTempDirectory("sluice-netty-testsuite");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Sluice start(Path dir) {
        StackConfig startup = StackConfig.parse("netty-testsuite", """
                unix { cli-listen %s }
                session { use-app-socket-api app-socket-api %s }
                cpu { workers 1 }
                buffers { buffers-per-numa 4096 }
                """.formatted(dir.resolve("cli.sock"), dir.resolve("app.sock")));
        try {
            return Sluice.embedded("netty-testsuite", startup, VclConfig.defaults());
        } catch (SluiceException e) {
            throw new IllegalStateException("the test suite's embedded stack did not start", e);
        }
    }

    private static void stop(Path dir) {
        BOSS_GROUP.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        WORKER_GROUP.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        BOSS_GROUP.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
        WORKER_GROUP.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
        SLUICE.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory left behind is not worth failing the JVM's exit for
        }
    }
}
