package io.sluice.netty.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.testsuite.transport.TestsuitePermutation;
import io.netty.testsuite.transport.socket.SocketExceptionHandlingTest;
import java.util.List;

/** Netty's {@link SocketExceptionHandlingTest} on Sluice ({@link SluiceSocketTestPermutation}). */
class SluiceSocketExceptionHandlingTest extends SocketExceptionHandlingTest {

    @Override
    protected List<TestsuitePermutation.BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        return SluiceSocketTestPermutation.INSTANCE.socket();
    }
}
