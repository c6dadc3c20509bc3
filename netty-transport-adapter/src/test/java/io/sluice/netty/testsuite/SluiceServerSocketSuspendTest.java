package io.sluice.netty.testsuite;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.testsuite.transport.TestsuitePermutation;
import io.netty.testsuite.transport.socket.ServerSocketSuspendTest;
import java.util.List;

/** Netty's {@link ServerSocketSuspendTest} on Sluice ({@link SluiceSocketTestPermutation}). */
class SluiceServerSocketSuspendTest extends ServerSocketSuspendTest {

    @Override
    protected List<TestsuitePermutation.BootstrapFactory<ServerBootstrap>> newFactories() {
        return SluiceSocketTestPermutation.INSTANCE.serverSocket();
    }
}
