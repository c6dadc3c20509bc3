package io.sluice.netty.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.testsuite.transport.TestsuitePermutation;
import io.netty.testsuite.transport.socket.SocketShutdownOutputBySelfTest;
import java.util.List;
import org.junit.jupiter.api.Disabled;

/**
 * Netty's {@link SocketShutdownOutputBySelfTest} on Sluice: disabled, as its peer is a kernel {@code ServerSocket}
 * the test makes itself. Shutting a Sluice channel's output, with and without SO_LINGER, is exercised by
 * {@link SluiceSocketHalfClosedTest} and {@link SluiceSocketShutdownOutputByPeerTest} (whose peer is comms-lib's
 * {@code SluiceSocket}).
 */
@Disabled("Its peer is a kernel java.net.ServerSocket on the kernel's loopback, which a Sluice channel cannot reach."
        + " See docs/netty-testsuite.md.")
class SluiceSocketShutdownOutputBySelfTest extends SocketShutdownOutputBySelfTest {

    @Override
    protected List<TestsuitePermutation.BootstrapFactory<Bootstrap>> newFactories() {
        return SluiceSocketTestPermutation.INSTANCE.clientSocket();
    }
}
