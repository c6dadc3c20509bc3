package io.sluice.netty;

import static io.netty.channel.ChannelOption.ALLOW_HALF_CLOSURE;
import static io.netty.channel.ChannelOption.IP_TOS;
import static io.netty.channel.ChannelOption.SO_KEEPALIVE;
import static io.netty.channel.ChannelOption.SO_LINGER;
import static io.netty.channel.ChannelOption.SO_RCVBUF;
import static io.netty.channel.ChannelOption.SO_REUSEADDR;
import static io.netty.channel.ChannelOption.SO_SNDBUF;
import static io.netty.channel.ChannelOption.TCP_NODELAY;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.MessageSizeEstimator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannelConfig;
import java.util.Map;

/**
 * The options of a {@link SluiceSocketChannel}. {@code TCP_NODELAY} (on by default, as Netty's) and
 * {@code SO_KEEPALIVE} with {@link SluiceChannelOption#TCP_KEEPIDLE}, {@link SluiceChannelOption#TCP_KEEPINTVL},
 * {@link SluiceChannelOption#TCP_KEEPCNT} go to the stack for a TCP connection (each change is a round trip to it,
 * made on the channel's loop; a cut-through connection has no TCP and needs none). {@code SO_RCVBUF} and
 * {@code SO_SNDBUF} report the connection's FIFO sizes, which are fixed at attach by the application's
 * {@code rx-fifo-size} and {@code tx-fifo-size}: setting them is accepted and changes nothing. {@code SO_LINGER} 0
 * makes close a reset (RST to the peer, unsent bytes dropped); any other value closes gracefully without waiting.
 * {@code SO_REUSEADDR} and {@code IP_TOS} are accepted and kept, without effect.
 */
public final class SluiceSocketChannelConfig extends DefaultChannelConfig implements SocketChannelConfig {

    private final SluiceSocketChannel socket;
    private volatile boolean tcpNoDelay = true;
    private volatile boolean keepAlive;
    private volatile int keepIdleSeconds = 7200;
    private volatile int keepIntervalSeconds = 75;
    private volatile int keepProbes = 9;
    private volatile int soLinger = -1;
    private volatile int receiveBufferSize;
    private volatile int sendBufferSize;
    private volatile int trafficClass;
    private volatile boolean reuseAddress;
    private volatile boolean allowHalfClosure;

    SluiceSocketChannelConfig(SluiceSocketChannel channel) {
        super(channel);
        this.socket = channel;
    }

    @Override
    public Map<ChannelOption<?>, Object> getOptions() {
        return getOptions(super.getOptions(), SO_RCVBUF, SO_SNDBUF, TCP_NODELAY, SO_KEEPALIVE, SO_REUSEADDR, SO_LINGER,
                IP_TOS, ALLOW_HALF_CLOSURE, SluiceChannelOption.TCP_KEEPIDLE, SluiceChannelOption.TCP_KEEPINTVL,
                SluiceChannelOption.TCP_KEEPCNT);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getOption(ChannelOption<T> option) {
        if (option == SO_RCVBUF) {
            return (T) Integer.valueOf(getReceiveBufferSize());
        }
        if (option == SO_SNDBUF) {
            return (T) Integer.valueOf(getSendBufferSize());
        }
        if (option == TCP_NODELAY) {
            return (T) Boolean.valueOf(isTcpNoDelay());
        }
        if (option == SO_KEEPALIVE) {
            return (T) Boolean.valueOf(isKeepAlive());
        }
        if (option == SO_REUSEADDR) {
            return (T) Boolean.valueOf(isReuseAddress());
        }
        if (option == SO_LINGER) {
            return (T) Integer.valueOf(getSoLinger());
        }
        if (option == IP_TOS) {
            return (T) Integer.valueOf(getTrafficClass());
        }
        if (option == ALLOW_HALF_CLOSURE) {
            return (T) Boolean.valueOf(isAllowHalfClosure());
        }
        if (option == SluiceChannelOption.TCP_KEEPIDLE) {
            return (T) Integer.valueOf(keepIdleSeconds);
        }
        if (option == SluiceChannelOption.TCP_KEEPINTVL) {
            return (T) Integer.valueOf(keepIntervalSeconds);
        }
        if (option == SluiceChannelOption.TCP_KEEPCNT) {
            return (T) Integer.valueOf(keepProbes);
        }
        return super.getOption(option);
    }

    @Override
    public <T> boolean setOption(ChannelOption<T> option, T value) {
        validate(option, value);
        if (option == SO_RCVBUF) {
            setReceiveBufferSize((Integer) value);
        } else if (option == SO_SNDBUF) {
            setSendBufferSize((Integer) value);
        } else if (option == TCP_NODELAY) {
            setTcpNoDelay((Boolean) value);
        } else if (option == SO_KEEPALIVE) {
            setKeepAlive((Boolean) value);
        } else if (option == SO_REUSEADDR) {
            setReuseAddress((Boolean) value);
        } else if (option == SO_LINGER) {
            setSoLinger((Integer) value);
        } else if (option == IP_TOS) {
            setTrafficClass((Integer) value);
        } else if (option == ALLOW_HALF_CLOSURE) {
            setAllowHalfClosure((Boolean) value);
        } else if (option == SluiceChannelOption.TCP_KEEPIDLE) {
            keepIdleSeconds = keepaliveNumber((Integer) value, "TCP_KEEPIDLE");
            socket.keepAliveChanged();
        } else if (option == SluiceChannelOption.TCP_KEEPINTVL) {
            keepIntervalSeconds = keepaliveNumber((Integer) value, "TCP_KEEPINTVL");
            socket.keepAliveChanged();
        } else if (option == SluiceChannelOption.TCP_KEEPCNT) {
            keepProbes = keepaliveNumber((Integer) value, "TCP_KEEPCNT");
            socket.keepAliveChanged();
        } else {
            return super.setOption(option, value);
        }
        return true;
    }

    private static int keepaliveNumber(int value, String name) {
        if (value < 1 || value > 0xFFFF) {
            throw new IllegalArgumentException(name + " " + value + ": 1 to 65535");
        }
        return value;
    }

    /** @return seconds without traffic before the first keepalive probe */
    public int getTcpKeepIdle() {
        return keepIdleSeconds;
    }

    /** @return seconds between keepalive probes */
    public int getTcpKeepInterval() {
        return keepIntervalSeconds;
    }

    /** @return unanswered probes before a reset */
    public int getTcpKeepCount() {
        return keepProbes;
    }

    @Override
    public boolean isTcpNoDelay() {
        return tcpNoDelay;
    }

    @Override
    public SluiceSocketChannelConfig setTcpNoDelay(boolean tcpNoDelay) {
        this.tcpNoDelay = tcpNoDelay;
        socket.noDelayChanged();
        return this;
    }

    @Override
    public int getSoLinger() {
        return soLinger;
    }

    /** {@inheritDoc} 0: close resets the connection; anything else: close is graceful and does not wait. */
    @Override
    public SluiceSocketChannelConfig setSoLinger(int soLinger) {
        this.soLinger = soLinger;
        return this;
    }

    /** @return the send FIFO's size once connected; before, what was set (0 if nothing) */
    @Override
    public int getSendBufferSize() {
        int fifo = socket.sendBufferSize();
        return fifo > 0 ? fifo : sendBufferSize;
    }

    /** Accepted and kept; the send FIFO's size is fixed at attach ({@code tx-fifo-size}). */
    @Override
    public SluiceSocketChannelConfig setSendBufferSize(int sendBufferSize) {
        this.sendBufferSize = sendBufferSize;
        return this;
    }

    /** @return the receive FIFO's size once connected; before, what was set (0 if nothing) */
    @Override
    public int getReceiveBufferSize() {
        int fifo = socket.receiveBufferSize();
        return fifo > 0 ? fifo : receiveBufferSize;
    }

    /** Accepted and kept; the receive FIFO's size is fixed at attach ({@code rx-fifo-size}). */
    @Override
    public SluiceSocketChannelConfig setReceiveBufferSize(int receiveBufferSize) {
        this.receiveBufferSize = receiveBufferSize;
        return this;
    }

    @Override
    public boolean isKeepAlive() {
        return keepAlive;
    }

    @Override
    public SluiceSocketChannelConfig setKeepAlive(boolean keepAlive) {
        this.keepAlive = keepAlive;
        socket.keepAliveChanged();
        return this;
    }

    @Override
    public int getTrafficClass() {
        return trafficClass;
    }

    /** Accepted and kept, without effect. */
    @Override
    public SluiceSocketChannelConfig setTrafficClass(int trafficClass) {
        this.trafficClass = trafficClass;
        return this;
    }

    @Override
    public boolean isReuseAddress() {
        return reuseAddress;
    }

    /** Accepted and kept, without effect (a connection's local port is the stack's choice). */
    @Override
    public SluiceSocketChannelConfig setReuseAddress(boolean reuseAddress) {
        this.reuseAddress = reuseAddress;
        return this;
    }

    /** Accepted, without effect. */
    @Override
    public SluiceSocketChannelConfig setPerformancePreferences(int connectionTime, int latency, int bandwidth) {
        return this;
    }

    @Override
    public boolean isAllowHalfClosure() {
        return allowHalfClosure;
    }

    @Override
    public SluiceSocketChannelConfig setAllowHalfClosure(boolean allowHalfClosure) {
        this.allowHalfClosure = allowHalfClosure;
        return this;
    }

    @Override
    protected void autoReadCleared() {
        socket.autoReadCleared();
    }

    @Override
    public SluiceSocketChannelConfig setConnectTimeoutMillis(int connectTimeoutMillis) {
        super.setConnectTimeoutMillis(connectTimeoutMillis);
        return this;
    }

    @Override
    @Deprecated
    public SluiceSocketChannelConfig setMaxMessagesPerRead(int maxMessagesPerRead) {
        super.setMaxMessagesPerRead(maxMessagesPerRead);
        return this;
    }

    @Override
    public SluiceSocketChannelConfig setWriteSpinCount(int writeSpinCount) {
        super.setWriteSpinCount(writeSpinCount);
        return this;
    }

    @Override
    public SluiceSocketChannelConfig setAllocator(ByteBufAllocator allocator) {
        super.setAllocator(allocator);
        return this;
    }

    @Override
    public SluiceSocketChannelConfig setRecvByteBufAllocator(RecvByteBufAllocator allocator) {
        super.setRecvByteBufAllocator(allocator);
        return this;
    }

    @Override
    public SluiceSocketChannelConfig setAutoRead(boolean autoRead) {
        super.setAutoRead(autoRead);
        return this;
    }

    @Override
    public SluiceSocketChannelConfig setAutoClose(boolean autoClose) {
        super.setAutoClose(autoClose);
        return this;
    }

    @Override
    @Deprecated
    public SluiceSocketChannelConfig setWriteBufferHighWaterMark(int writeBufferHighWaterMark) {
        super.setWriteBufferHighWaterMark(writeBufferHighWaterMark);
        return this;
    }

    @Override
    @Deprecated
    public SluiceSocketChannelConfig setWriteBufferLowWaterMark(int writeBufferLowWaterMark) {
        super.setWriteBufferLowWaterMark(writeBufferLowWaterMark);
        return this;
    }

    @Override
    public SluiceSocketChannelConfig setWriteBufferWaterMark(WriteBufferWaterMark writeBufferWaterMark) {
        super.setWriteBufferWaterMark(writeBufferWaterMark);
        return this;
    }

    @Override
    public SluiceSocketChannelConfig setMessageSizeEstimator(MessageSizeEstimator estimator) {
        super.setMessageSizeEstimator(estimator);
        return this;
    }
}
