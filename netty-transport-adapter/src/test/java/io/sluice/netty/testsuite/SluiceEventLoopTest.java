package io.sluice.netty.testsuite;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.testsuite.transport.AbstractSingleThreadEventLoopTest;
import io.sluice.netty.SluiceServerSocketChannel;
import io.sluice.netty.SluiceSocketChannel;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/** Netty's event loop tests ({@link AbstractSingleThreadEventLoopTest}) on loops of the Sluice IO handler. */
class SluiceEventLoopTest extends AbstractSingleThreadEventLoopTest {

    @Override
    protected EventLoopGroup newEventLoopGroup() {
        return new MultiThreadIoEventLoopGroup(SluiceTestsuiteStack.factory());
    }

    @Override
    protected EventLoopGroup newAutoScalingEventLoopGroup() {
        return new MultiThreadIoEventLoopGroup(SCALING_MAX_THREADS, (Executor) null, AUTO_SCALING_CHOOSER_FACTORY,
                SluiceTestsuiteStack.factory());
    }

    @Override
    protected Channel newChannel() {
        return new SluiceSocketChannel();
    }

    @Override
    protected Class<? extends ServerChannel> serverChannelClass() {
        return SluiceServerSocketChannel.class;
    }

    @Test
    @Disabled("A Sluice loop is a comms-lib worker bound to its thread, so its factory does not support changing"
            + " threads and Netty does not suspend its loops: an auto-scaling group cannot scale down."
            + " See docs/netty-testsuite.md.")
    @Override
    public void testAutoScalingEventLoopGroupCanScaleDownAndBeUsed() {
    }

    @Test
    @Disabled("As testAutoScalingEventLoopGroupCanScaleDownAndBeUsed: Sluice loops are never suspended.")
    @Override
    public void testSubmittingTaskWakesUpSuspendedExecutor() {
    }
}
