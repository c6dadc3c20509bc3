package io.sluice.netty.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.testsuite.transport.TestsuitePermutation;
import io.netty.testsuite.transport.socket.TrafficShapingHandlerTest;
import java.util.List;

/** Netty's {@link TrafficShapingHandlerTest} on Sluice ({@link SluiceSocketTestPermutation}). */
class SluiceTrafficShapingHandlerTest extends TrafficShapingHandlerTest {

    @Override
    protected List<TestsuitePermutation.BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        return SluiceSocketTestPermutation.INSTANCE.socket();
    }
}
