package io.sluice.netty.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.testsuite.transport.TestsuitePermutation;
import io.netty.testsuite.transport.socket.SocketChannelNotYetConnectedTest;
import java.util.List;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** Netty's {@link SocketChannelNotYetConnectedTest} on Sluice ({@link SluiceSocketTestPermutation}). */
class SluiceSocketChannelNotYetConnectedTest extends SocketChannelNotYetConnectedTest {

    @Override
    protected List<TestsuitePermutation.BootstrapFactory<Bootstrap>> newFactories() {
        return SluiceSocketTestPermutation.INSTANCE.clientSocket();
    }

    @Test
    @Disabled("Its server is an NIO channel on the kernel's loopback, which a Sluice channel cannot reach (127.0.0.1"
            + " is the stack's own loopback for Sluice channels). See docs/netty-testsuite.md.")
    @Override
    public void readMustBePendingUntilChannelIsActive(TestInfo info) {
    }
}
