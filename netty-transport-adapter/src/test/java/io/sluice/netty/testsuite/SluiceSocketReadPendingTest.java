package io.sluice.netty.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.testsuite.transport.TestsuitePermutation;
import io.netty.testsuite.transport.socket.SocketReadPendingTest;
import java.util.List;

/** Netty's {@link SocketReadPendingTest} on Sluice ({@link SluiceSocketTestPermutation}). */
class SluiceSocketReadPendingTest extends SocketReadPendingTest {

    @Override
    protected List<TestsuitePermutation.BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        return SluiceSocketTestPermutation.INSTANCE.socket();
    }
}
