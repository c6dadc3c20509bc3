package io.sluice.examples.netty;

import io.sluice.comms.Sluice;
import io.sluice.core.config.StackConfig;
import io.sluice.core.config.VclConfig;
import java.nio.file.Path;

/** An embedded stack for a test: no interfaces, so 127.0.0.1 is its loopback and every connection is cut through. */
final class EmbeddedSluice {

    private EmbeddedSluice() {}

    /**
     * @param dir where the control and attach sockets go (a test's temporary directory)
     * @param name the application's name
     * @return the application, attached to a stack of its own; closing it stops the stack
     */
    static Sluice start(Path dir, String name) throws Exception {
        StackConfig startup = StackConfig.parse(name, """
                unix { cli-listen %s }
                session { use-app-socket-api app-socket-api %s }
                cpu { workers 1 }
                buffers { buffers-per-numa 4096 }
                """.formatted(dir.resolve("cli.sock"), dir.resolve("app.sock")));
        return Sluice.embedded(name, startup, VclConfig.defaults());
    }
}
