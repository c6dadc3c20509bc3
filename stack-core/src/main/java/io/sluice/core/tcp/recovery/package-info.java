/**
 * TCP loss recovery building blocks, one instance of each per connection, used by the TCP state machine on its
 * worker thread: {@link io.sluice.core.tcp.recovery.RttEstimator} (RFC 6298 retransmission timeout),
 * {@link io.sluice.core.tcp.recovery.SackScoreboard} (RFC 2018/2883 SACK information and the RFC 6675 recovery
 * functions), {@link io.sluice.core.tcp.recovery.SentSegmentLog} (the sent segments with their send times),
 * {@link io.sluice.core.tcp.recovery.Rack} (RFC 8985 time-based loss detection) and
 * {@link io.sluice.core.tcp.recovery.TailLossProbe} (RFC 8985 §7).
 *
 * <p>All of them are plain data structures: they never read a clock (times are {@code long} nanoseconds on the
 * caller's monotonic clock), start no threads, arm no timers (they return the durations the caller arms on its
 * timer wheel), and allocate nothing after construction. Sequence numbers are {@code int}s compared modulo 2^32.
 */
package io.sluice.core.tcp.recovery;
