package io.sluice.netty.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.testsuite.transport.TestsuitePermutation;
import io.netty.testsuite.transport.socket.WriteBeforeRegisteredTest;
import java.util.List;

/** Netty's {@link WriteBeforeRegisteredTest} on Sluice ({@link SluiceSocketTestPermutation}). */
class SluiceWriteBeforeRegisteredTest extends WriteBeforeRegisteredTest {

    @Override
    protected List<TestsuitePermutation.BootstrapFactory<Bootstrap>> newFactories() {
        return SluiceSocketTestPermutation.INSTANCE.clientSocket();
    }
}
