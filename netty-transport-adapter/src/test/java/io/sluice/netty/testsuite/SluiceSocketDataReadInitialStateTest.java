package io.sluice.netty.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.testsuite.transport.TestsuitePermutation;
import io.netty.testsuite.transport.socket.SocketDataReadInitialStateTest;
import java.util.List;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** Netty's {@link SocketDataReadInitialStateTest} on Sluice ({@link SluiceSocketTestPermutation}). */
class SluiceSocketDataReadInitialStateTest extends SocketDataReadInitialStateTest {

    @Override
    protected List<TestsuitePermutation.BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        return SluiceSocketTestPermutation.INSTANCE.socket();
    }

    @Test
    @Disabled("A cut-through connect to a hand-off listener (every Sluice server channel) completes when a child loop"
            + " claims the connection, not when the stack accepts it: the connector's FIFOs are placed in the channel"
            + " between its worker and the claimer's. A server with AUTO_READ off that has not read leaves the"
            + " client's connect waiting, and this test syncs on the connect before it reads. Through TCP the"
            + " handshake completes at once, as with the kernel. See docs/netty-testsuite.md.")
    @Override
    public void testAutoReadOffNoDataReadUntilReadCalled(TestInfo testInfo) {
    }
}
