package io.sluice.netty;

import io.netty.channel.ChannelOption;

/**
 * Options of the Sluice channels beyond Netty's own {@link ChannelOption}s. The keepalive numbers go to the stack with
 * {@link ChannelOption#SO_KEEPALIVE} (Linux's names and defaults); a cut-through connection has no network to probe
 * and ignores them.
 */
public final class SluiceChannelOption {

    /** Seconds without traffic before the first keepalive probe (Linux's default: 7200). */
    public static final ChannelOption<Integer> TCP_KEEPIDLE =
            ChannelOption.valueOf(SluiceChannelOption.class, "TCP_KEEPIDLE");
    /** Seconds between keepalive probes (Linux's default: 75). */
    public static final ChannelOption<Integer> TCP_KEEPINTVL =
            ChannelOption.valueOf(SluiceChannelOption.class, "TCP_KEEPINTVL");
    /** Unanswered probes before the connection is reset (Linux's default: 9). */
    public static final ChannelOption<Integer> TCP_KEEPCNT =
            ChannelOption.valueOf(SluiceChannelOption.class, "TCP_KEEPCNT");

    private SluiceChannelOption() {
    }
}
