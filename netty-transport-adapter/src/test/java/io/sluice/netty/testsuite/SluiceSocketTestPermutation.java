package io.sluice.netty.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapFactory;
import io.netty.testsuite.transport.socket.SocketTestPermutation;
import io.sluice.netty.SluiceServerSocketChannel;
import io.sluice.netty.SluiceSocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Netty's test suite on Sluice: server and client are both Sluice channels on {@link SluiceTestsuiteStack}'s
 * groups. Unlike the native transports' permutations there is no Sluice x NIO combination: the suite binds to
 * 127.0.0.1, which for a Sluice channel is the stack's loopback and for NIO the kernel's, two worlds that do not
 * meet. (A kernel peer through the TAP is tested by the transport's own TCP test.)
 */
final class SluiceSocketTestPermutation extends SocketTestPermutation {

    static final SluiceSocketTestPermutation INSTANCE = new SluiceSocketTestPermutation();

    private SluiceSocketTestPermutation() {
    }

    @Override
    public List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> socket() {
        return combo(serverSocket(), clientSocket());
    }

    @Override
    public List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> socketWithFastOpen() {
        return socket();
    }

    @Override
    public List<BootstrapFactory<ServerBootstrap>> serverSocket() {
        List<BootstrapFactory<ServerBootstrap>> factories = new ArrayList<>();
        factories.add(() -> new ServerBootstrap()
                .group(SluiceTestsuiteStack.BOSS_GROUP, SluiceTestsuiteStack.WORKER_GROUP)
                .channel(SluiceServerSocketChannel.class));
        return factories;
    }

    @Override
    public List<BootstrapFactory<Bootstrap>> clientSocket() {
        List<BootstrapFactory<Bootstrap>> factories = new ArrayList<>();
        factories.add(() -> new Bootstrap().group(SluiceTestsuiteStack.WORKER_GROUP)
                .channel(SluiceSocketChannel.class));
        return factories;
    }

    @Override
    public List<BootstrapFactory<Bootstrap>> clientSocketWithFastOpen() {
        return clientSocket();
    }

    /** Sluice's Netty transport has no datagram channel (UDP is served by the stack's own socket API). */
    @Override
    public List<BootstrapComboFactory<Bootstrap, Bootstrap>> datagram(SocketProtocolFamily family) {
        throw new UnsupportedOperationException("the Sluice Netty transport has no datagram channel");
    }

    @Override
    public List<BootstrapFactory<Bootstrap>> datagramSocket() {
        throw new UnsupportedOperationException("the Sluice Netty transport has no datagram channel");
    }
}
