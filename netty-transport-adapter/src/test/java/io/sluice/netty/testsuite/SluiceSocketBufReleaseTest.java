package io.sluice.netty.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.testsuite.transport.TestsuitePermutation;
import io.netty.testsuite.transport.socket.SocketBufReleaseTest;
import java.util.List;

/** Netty's {@link SocketBufReleaseTest} on Sluice ({@link SluiceSocketTestPermutation}). */
class SluiceSocketBufReleaseTest extends SocketBufReleaseTest {

    @Override
    protected List<TestsuitePermutation.BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        return SluiceSocketTestPermutation.INSTANCE.socket();
    }
}
