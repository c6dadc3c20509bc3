/**
 * TCP congestion control: the {@link io.sluice.core.tcp.cc.CongestionControl} interface the state machine calls
 * from its ACK, loss and timer processing, and its two algorithms, {@link io.sluice.core.tcp.cc.NewReno}
 * (RFC 5681, RFC 3465, RFC 6582) and {@link io.sluice.core.tcp.cc.Cubic} (RFC 9438, the default), made by name
 * through {@link io.sluice.core.tcp.cc.CongestionControls}. Pure logic: time comes in as nanoseconds, nothing reads
 * a clock, nothing allocates per event.
 */
package io.sluice.core.tcp.cc;
