package io.sluice.examples.netty;

import io.sluice.comms.Sluice;
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
        return Sluice.embedded(name, NettyLoops.privateStack(name, dir, ""), VclConfig.defaults());
    }
}
