package io.sluice.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.ResourceLeakDetector;
import io.sluice.core.util.AllocationMeter;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The event loop over Sluice: sleeping until the next task, being woken, and a run path that allocates nothing. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SluiceIoHandlerTest extends SluiceNettyTestBase {


    private static void awaitAsleep(SluiceIoHandler handler) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!handler.isSleeping() && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertTrue(handler.isSleeping(), "the idle loop went to sleep");
    }

    @Test
    void aScheduledTaskFiresWithinItsDelayWhileTheLoopSleeps() throws Exception {
        MultiThreadIoEventLoopGroup group = fixture.group(1);
        EventLoop loop = group.next();
        loop.submit(() -> { }).sync();
        SluiceIoHandler handler = fixture.handlers.get(0);
        for (int round = 0; round < 3; round++) {
            awaitAsleep(handler);
            long sleepsBefore = loop.submit(handler::sleepCount).get();
            awaitAsleep(handler);
            long scheduled = System.nanoTime();
            long fired = loop.schedule(System::nanoTime, 150, TimeUnit.MILLISECONDS).get(5, TimeUnit.SECONDS);
            long millis = TimeUnit.NANOSECONDS.toMillis(fired - scheduled);
            assertTrue(millis >= 149 && millis < 400, "a 150 ms task ran after " + millis + " ms");
            long sleepsAfter = loop.submit(handler::sleepCount).get();
            assertTrue(sleepsAfter > sleepsBefore, "the loop slept while the task waited");
        }
    }

    @Test
    void executeFromAnotherThreadWakesTheSleepingLoopPromptly() throws Exception {
        MultiThreadIoEventLoopGroup group = fixture.group(1);
        EventLoop loop = group.next();
        loop.submit(() -> { }).sync();
        SluiceIoHandler handler = fixture.handlers.get(0);
        for (int round = 0; round < 5; round++) {
            awaitAsleep(handler);
            CountDownLatch ran = new CountDownLatch(1);
            long start = System.nanoTime();
            loop.execute(ran::countDown);
            assertTrue(ran.await(5, TimeUnit.SECONDS));
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            // Unwoken, the loop would sleep out its one-second slice.
            assertTrue(millis < 200, "the task ran " + millis + " ms after execute");
        }
    }

    /** A context for driving the handler by hand on its own thread: never block. */
    private static final IoHandlerContext NON_BLOCKING = new IoHandlerContext() {
        @Override
        public boolean canBlock() {
            return false;
        }

        @Override
        public long delayNanos(long currentTimeNanos) {
            return 0;
        }

        @Override
        public long deadlineNanos() {
            return -1;
        }
    };

    /** A loop with nothing queued: it may sleep up to 200 ms for IO. */
    private static final IoHandlerContext SLEEPING = new IoHandlerContext() {
        @Override
        public boolean canBlock() {
            return true;
        }

        @Override
        public long delayNanos(long currentTimeNanos) {
            return TimeUnit.MILLISECONDS.toNanos(200);
        }

        @Override
        public long deadlineNanos() {
            return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
        }
    };

    /** Bounces each message back, counting it; writes with the void promise, so Netty allocates no promise. */
    private static class Bounce extends ChannelInboundHandlerAdapter {
        final int[] messages;

        Bounce(int[] messages) {
            this.messages = messages;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            messages[0]++;
            ctx.writeAndFlush(msg, ctx.voidPromise());
        }
    }

    @Test
    void theRunPathAndASteadyEchoAllocateNothingPerMessage() throws Exception {
        MultiThreadIoEventLoopGroup group = fixture.group(1);
        EventLoop loop = group.next();
        int[] messages = new int[1];
        CompletableFuture<Channel> child = new CompletableFuture<>();
        Channel server = SluiceNettyFixture.bind(group, group, new Bounce(messages) {
            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                child.complete(ctx.channel());
            }
        });
        Channel client = SluiceNettyFixture.client(group, new Bounce(messages))
                .connect("127.0.0.1", ((InetSocketAddress) server.localAddress()).getPort()).sync().channel();
        child.get(10, TimeUnit.SECONDS);
        SluiceIoHandler handler = fixture.handlers.get(0);
        // Netty's leak detector records a stack trace for a sample of the buffers it hands out: a debugging aid of
        // Netty's own, off here so that what is measured is the transport.
        ResourceLeakDetector.Level leakDetection = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);

        long bytes = loop.submit(() -> {
            // One 64-byte message bounces between client and server; the loop's own run path carries it.
            ByteBuf first = Unpooled.directBuffer(64).writeZero(64);
            client.writeAndFlush(first, client.voidPromise());
            Runnable thousandMessages = () -> {
                int target = messages[0] + 1000;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (messages[0] < target) {
                    handler.run(NON_BLOCKING);
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("stuck at " + messages[0] + " messages");
                    }
                }
            };
            return AllocationMeter.allocatedInSteadyState(thousandMessages);
        }).get(60, TimeUnit.SECONDS);
        ResourceLeakDetector.setLevel(leakDetection);
        assertEquals(0, bytes, "bytes allocated by the loop thread for 1000 messages read, echoed and written");
        assertTrue(messages[0] > 3000, "messages bounced: " + messages[0]);
        client.close().sync();
        server.close().sync();
    }

    /**
     * The sleeping path: client and server on loops of their own, so that the client's loop sleeps in epoll_wait
     * for each echo and each of its writes rings the server loop's eventfd. 0 bytes per message on the client's loop
     * thread, however the native calls on that path are compiled.
     */
    @Test
    void sleepingForEachMessageAndWakingThePeerAllocateNothing() throws Exception {
        MultiThreadIoEventLoopGroup clientGroup = fixture.group(1);
        MultiThreadIoEventLoopGroup serverGroup = fixture.group(1);
        SluiceIoHandler handler = fixture.handlers.get(0);
        int[] serverMessages = new int[1];
        int[] clientMessages = new int[1];
        Channel server = SluiceNettyFixture.bind(serverGroup, serverGroup, new Bounce(serverMessages));
        Channel client = SluiceNettyFixture.client(clientGroup, new Bounce(clientMessages))
                .connect("127.0.0.1", ((InetSocketAddress) server.localAddress()).getPort()).sync().channel();
        ResourceLeakDetector.Level leakDetection = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        long[] sleeps = new long[2];
        long bytes = clientGroup.next().submit(() -> {
            client.writeAndFlush(Unpooled.directBuffer(64).writeZero(64), client.voidPromise());
            Runnable fiveHundredEchoes = () -> {
                int target = clientMessages[0] + 500;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (clientMessages[0] < target) {
                    handler.run(SLEEPING);
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("stuck at " + clientMessages[0] + " echoes");
                    }
                }
            };
            sleeps[0] = handler.sleepCount();
            long allocated = AllocationMeter.allocatedInSteadyState(fiveHundredEchoes);
            sleeps[1] = handler.sleepCount();
            return allocated;
        }).get(120, TimeUnit.SECONDS);
        ResourceLeakDetector.setLevel(leakDetection);
        assertEquals(0, bytes, "bytes allocated by the client's loop thread for 500 echoes, sleeping for each");
        assertTrue(sleeps[1] - sleeps[0] > clientMessages[0] / 2, "the loop slept for most echoes: "
                + (sleeps[1] - sleeps[0]) + " sleeps for " + clientMessages[0] + " echoes");
        client.close().sync();
        server.close().sync();
    }
}
