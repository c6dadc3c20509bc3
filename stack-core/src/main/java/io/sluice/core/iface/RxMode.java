package io.sluice.core.iface;

import java.util.Locale;

/**
 * How the worker serving an interface's receive queues waits for frames ({@code rx-mode} in a {@code tap} section,
 * VPP's {@code set interface rx-mode}).
 */
public enum RxMode {

    /** Poll while frames come; after a short idle spin, sleep in epoll until the queue is readable. The default. */
    ADAPTIVE,

    /**
     * Never sleep: the worker polls without pause while it serves such a queue, trading a CPU for the latency of
     * waking a sleeping thread (tens to hundreds of microseconds on a virtual machine).
     */
    POLLING;

    /** The word used in configuration and in {@code show interface rx-placement}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The mode a configuration word names. */
    public static RxMode fromConfigName(String word) {
        return valueOf(word.toUpperCase(Locale.ROOT));
    }
}
