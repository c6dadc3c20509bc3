/**
 * TCP. For now this package holds the two interfaces through which TCP exchanges application bytes with the
 * session layer ({@link io.sluice.core.tcp.ReceiveBuffer}, {@link io.sluice.core.tcp.SendBuffer}); keeping them
 * here, below the session layer, lets the protocol be tested on plain in-memory buffers. Sequence numbers compare
 * with {@link io.sluice.core.tcp.SeqNum}; the header and its options are read and written by
 * {@code io.sluice.core.wire.Tcp} and {@code io.sluice.core.wire.TcpOptions}.
 */
package io.sluice.core.tcp;
