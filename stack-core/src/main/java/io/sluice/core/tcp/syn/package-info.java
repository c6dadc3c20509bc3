/**
 * The secrets of the TCP handshake, as pure functions the listener and connection table call: initial sequence
 * numbers and timestamp offsets (RFC 6528, {@link io.sluice.core.tcp.syn.IsnGenerator}), SYN cookies (RFC 4987
 * §3.6, {@link io.sluice.core.tcp.syn.SynCookies}) with the decision when to use them
 * ({@link io.sluice.core.tcp.syn.SynFloodGuard}), all keyed with {@link io.sluice.core.tcp.syn.SipHash}. None reads
 * a clock (time is passed in as nanoseconds), starts a thread or allocates per call; the keys are fixed at
 * construction, so workers share one instance.
 */
package io.sluice.core.tcp.syn;
