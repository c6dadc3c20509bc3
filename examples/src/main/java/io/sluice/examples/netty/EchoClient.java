package io.sluice.examples.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * {@code bin/sluice run echo-client}: one connection to an echo server, {@code count} messages of {@code size} bytes
 * sent one at a time, each sent only after the previous one came back whole and equal; prints round trips per second
 * and the p50/p99 of a round trip. {@link #stream} is the throughput variant the benchmark uses: messages written
 * back to back with a bounded amount in flight.
 */
public final class EchoClient {

    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;
    /** Round-trip times kept per run at most (8 MiB); the percentiles are those of the first this many. */
    static final int MAX_SAMPLES = 1 << 20;
    /** Round trips before the allocation probe's first reading. */
    public static final int SETTLE_ROUND_TRIPS = 100;

    private EchoClient() {}

    /**
     * What a round-trip run measured.
     *
     * @param roundTrips round trips completed
     * @param nanos from the first send to the last reply
     * @param p50Nanos median round trip
     * @param p99Nanos 99th percentile round trip
     * @param allocatedPerRoundTrip bytes the allocation probe counted per round trip in steady state (NaN without
     *     a probe, or when the run made too few round trips)
     */
    public record RoundTrips(int roundTrips, long nanos, long p50Nanos, long p99Nanos, double allocatedPerRoundTrip) {
        /** @return round trips per second */
        public double perSecond() {
            return roundTrips * 1e9 / nanos;
        }
    }

    /**
     * Connects and makes up to {@code count} round trips, or as many as fit in {@code limit}.
     *
     * @param loops the transport
     * @param group the loop the connection runs on
     * @param server the echo server
     * @param size bytes per message
     * @param count round trips at most
     * @param limit time at most (the run stops after the round trip that passes it)
     * @return what was measured
     * @throws IOException when the connection fails, closes early or echoes other bytes than were sent
     */
    public static RoundTrips roundTrips(NettyLoops loops, EventLoopGroup group, InetSocketAddress server, int size,
            int count, Duration limit) throws Exception {
        return roundTrips(loops, group, server, size, count, limit, null);
    }

    /**
     * As {@link #roundTrips(NettyLoops, EventLoopGroup, InetSocketAddress, int, int, Duration)}, and counts the
     * bytes allocated per round trip in steady state: {@code allocationProbe} (bytes allocated so far by the threads
     * of interest) is read on the client's loop after {@link #SETTLE_ROUND_TRIPS} round trips, past the connection's
     * set-up, and again after the last one, before the results are gathered.
     */
    public static RoundTrips roundTrips(NettyLoops loops, EventLoopGroup group, InetSocketAddress server, int size,
            int count, Duration limit, LongSupplier allocationProbe) throws Exception {
        return measure(loops, group, server, size, limit,
                message -> new PingPong(message, count, System.nanoTime() + limit.toNanos(), allocationProbe));
    }

    /**
     * Connects and streams {@code size}-byte messages for {@code time}, keeping at most {@code window} bytes sent
     * and not yet echoed, and checking every echoed byte.
     *
     * @return bytes echoed per second
     * @throws IOException when the connection fails or echoes other bytes than were sent
     */
    public static double stream(NettyLoops loops, EventLoopGroup group, InetSocketAddress server, int size,
            int window, Duration time) throws Exception {
        return measure(loops, group, server, size, time,
                message -> new Stream(message, window, System.nanoTime() + time.toNanos()));
    }

    /**
     * Connects with the handler {@code handlers} makes for a message of {@code size} random bytes, waits for its
     * result, closes the connection and releases the message.
     */
    private static <T> T measure(NettyLoops loops, EventLoopGroup group, InetSocketAddress server, int size,
            Duration limit, Function<ByteBuf, Measurement<T>> handlers) throws Exception {
        ByteBuf message = randomMessage(size);
        try {
            Measurement<T> handler = handlers.apply(message);
            Channel channel = connect(loops, group, server, handler);
            try {
                return await(handler.result, limit, channel);
            } finally {
                channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
            }
        } finally {
            message.release();
        }
    }

    /** A client connection's handler: it completes {@link #result}, or fails it with what went wrong. */
    private abstract static class Measurement<T> extends ChannelInboundHandlerAdapter {
        final CompletableFuture<T> result = new CompletableFuture<>();

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            result.completeExceptionally(cause);
            ctx.close();
        }
    }

    private static Channel connect(NettyLoops loops, EventLoopGroup group, InetSocketAddress server,
            ChannelInboundHandlerAdapter handler) throws IOException {
        ChannelFuture connect = loops.client(group).handler(handler)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 << 10, 1 << 20))
                .connect(server);
        if (!connect.awaitUninterruptibly(CONNECT_TIMEOUT_MILLIS + 1_000L)) {
            connect.channel().close();
            throw new IOException("connecting to " + server + " did not finish within " + CONNECT_TIMEOUT_MILLIS
                    + " ms");
        }
        if (!connect.isSuccess()) {
            throw new IOException("connecting to " + server + ": " + connect.cause().getMessage(), connect.cause());
        }
        return connect.channel();
    }

    private static <T> T await(CompletableFuture<T> result, Duration limit, Channel channel) throws Exception {
        try {
            // The run stops itself at its deadline; the extra 10 s only catch a reply that never comes.
            return result.get(limit.toMillis() + 10_000, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IOException("no reply from the echo server on " + channel + " for 10 s past the run's end", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    /** A direct buffer of random bytes; each write sends a retained duplicate, the caller releases it at the end. */
    private static ByteBuf randomMessage(int size) {
        byte[] bytes = new byte[size];
        ThreadLocalRandom.current().nextBytes(bytes);
        return Unpooled.directBuffer(size).writeBytes(bytes);
    }

    /**
     * Checks an echoed piece against the message at {@code offset}.
     *
     * @throws IOException naming where the bytes differ
     */
    private static void check(ByteBuf echoed, ByteBuf message, int offset) throws IOException {
        int n = echoed.readableBytes();
        if (!ByteBufUtil.equals(echoed, echoed.readerIndex(), message, offset, n)) {
            throw new IOException("the server echoed other bytes than were sent, within " + n + " bytes at offset "
                    + offset + " of a " + message.readableBytes() + "-byte message");
        }
    }

    /** Sends a message, waits until all of it has come back, records the time, sends the next. */
    private static final class PingPong extends Measurement<RoundTrips> {
        private final ByteBuf message;
        /** What is written: a copy of {@link #message}, which stays as it is for the checks. */
        private final ByteBuf outgoing;
        private final int count;
        /** The first {@link #MAX_SAMPLES} round trips' times: the percentiles are theirs. */
        private final long[] latencies;
        private final long deadline;
        private final LongSupplier allocationProbe;
        private long allocatedAtSettle;
        private int done;
        private int received;
        private long start;
        private long sentAt;

        PingPong(ByteBuf message, int count, long deadline, LongSupplier allocationProbe) {
            this.message = message;
            this.outgoing = message.copy();
            this.count = count;
            this.latencies = new long[Math.min(count, MAX_SAMPLES)];
            this.deadline = deadline;
            this.allocationProbe = allocationProbe;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            start = System.nanoTime();
            send(ctx);
        }

        private void send(ChannelHandlerContext ctx) {
            sentAt = System.nanoTime();
            // The same buffer each time, rewound and retained for the write that will release it: a duplicate or a
            // buffer from the allocator is an object per message, which would show in the benchmark's count of
            // bytes allocated per round trip. The previous write is done: its echo has come back.
            outgoing.setIndex(0, outgoing.capacity());
            ctx.writeAndFlush(outgoing.retain(), ctx.voidPromise());
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            outgoing.release();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws IOException {
            ByteBuf echoed = (ByteBuf) msg;
            try {
                int size = message.readableBytes();
                if (received + echoed.readableBytes() > size) {
                    throw new IOException("the server echoed more than the " + size + " bytes sent");
                }
                check(echoed, message, received);
                received += echoed.readableBytes();
            } finally {
                echoed.release();
            }
            if (received < message.readableBytes()) {
                return;
            }
            long now = System.nanoTime();
            if (done < latencies.length) {
                latencies[done] = now - sentAt;
            }
            done++;
            received = 0;
            if (done == SETTLE_ROUND_TRIPS && allocationProbe != null) {
                allocatedAtSettle = allocationProbe.getAsLong();
            }
            if (done == count || now - deadline >= 0) {
                double allocated = allocationProbe != null && done > SETTLE_ROUND_TRIPS
                        ? (double) (allocationProbe.getAsLong() - allocatedAtSettle) / (done - SETTLE_ROUND_TRIPS)
                        : Double.NaN;
                long[] sorted = Arrays.copyOf(latencies, Math.min(done, latencies.length));
                Arrays.sort(sorted);
                result.complete(new RoundTrips(done, now - start, percentile(sorted, 0.50),
                        percentile(sorted, 0.99), allocated));
                ctx.close();
            } else {
                send(ctx);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            result.completeExceptionally(new IOException("the connection closed after " + done + " round trips"));
        }
    }

    /** Writes messages while fewer than {@code window} bytes are unanswered; counts and checks what comes back. */
    private static final class Stream extends Measurement<Double> {
        private final ByteBuf message;
        private final int window;
        private final long deadline;
        private long sent;
        private long received;
        private long start;

        Stream(ByteBuf message, int window, long deadline) {
            this.message = message;
            this.window = Math.max(window, message.readableBytes());
            this.deadline = deadline;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            start = System.nanoTime();
            fill(ctx);
        }

        private void fill(ChannelHandlerContext ctx) {
            boolean wrote = false;
            while (sent - received + message.readableBytes() <= window && ctx.channel().isWritable()) {
                ctx.write(message.retainedDuplicate(), ctx.voidPromise());
                sent += message.readableBytes();
                wrote = true;
            }
            if (wrote) {
                ctx.flush();
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws IOException {
            ByteBuf echoed = (ByteBuf) msg;
            try {
                // Every message is the same, so an echoed byte's place in the message is its stream offset modulo
                // the size; a piece may span the end of one message and the start of the next.
                int size = message.readableBytes();
                int index = echoed.readerIndex();
                int left = echoed.readableBytes();
                while (left > 0) {
                    int offset = (int) (received % size);
                    int n = Math.min(left, size - offset);
                    if (!ByteBufUtil.equals(echoed, index, message, offset, n)) {
                        throw new IOException("the server echoed other bytes than were sent at stream offset "
                                + received);
                    }
                    index += n;
                    left -= n;
                    received += n;
                }
            } finally {
                echoed.release();
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            long now = System.nanoTime();
            if (now - deadline >= 0) {
                result.complete(received * 1e9 / (now - start));
                ctx.close();
            } else {
                fill(ctx);
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            fill(ctx);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            result.completeExceptionally(new IOException("the connection closed after " + received
                    + " bytes echoed"));
        }
    }

    /** @return the value at quantile {@code q} of sorted {@code values} (nearest rank), 0 when there is none */
    static long percentile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
