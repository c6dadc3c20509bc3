package io.sluice.netty.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.testsuite.transport.TestsuitePermutation;
import io.netty.testsuite.transport.socket.SocketConditionalWritabilityTest;
import java.util.List;

/** Netty's {@link SocketConditionalWritabilityTest} on Sluice ({@link SluiceSocketTestPermutation}). */
class SluiceSocketConditionalWritabilityTest extends SocketConditionalWritabilityTest {

    @Override
    protected List<TestsuitePermutation.BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        return SluiceSocketTestPermutation.INSTANCE.socket();
    }
}
