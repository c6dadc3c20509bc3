package io.sluice.netty.testsuite;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.testsuite.transport.TestsuitePermutation;
import io.netty.testsuite.transport.socket.AbstractSocketShutdownOutputByPeerTest;
import io.sluice.comms.net.SluiceSocket;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.util.List;

/**
 * Netty's {@link AbstractSocketShutdownOutputByPeerTest} on Sluice. Its peer is a plain blocking socket; here that
 * is comms-lib's drop-in {@link SluiceSocket} on the same stack (a kernel {@code java.net.Socket} cannot reach the
 * stack's loopback), so the half-closure crosses the stack cut through.
 */
class SluiceSocketShutdownOutputByPeerTest extends AbstractSocketShutdownOutputByPeerTest<Socket> {

    @Override
    protected List<TestsuitePermutation.BootstrapFactory<ServerBootstrap>> newFactories() {
        return SluiceSocketTestPermutation.INSTANCE.serverSocket();
    }

    @Override
    protected Socket newSocket() {
        try {
            return new SluiceSocket(SluiceTestsuiteStack.SLUICE);
        } catch (SocketException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected void connect(Socket s, SocketAddress address) throws IOException {
        s.connect(address);
    }

    @Override
    protected void shutdownOutput(Socket s) throws IOException {
        s.shutdownOutput();
    }

    @Override
    protected void write(Socket s, int data) throws IOException {
        s.getOutputStream().write(data);
    }

    @Override
    protected void close(Socket s) throws IOException {
        s.close();
    }
}
