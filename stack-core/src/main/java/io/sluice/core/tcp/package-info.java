/**
 * TCP. For now this package holds the two interfaces through which TCP exchanges application bytes with the
 * session layer ({@link io.sluice.core.tcp.ReceiveBuffer}, {@link io.sluice.core.tcp.SendBuffer}); keeping them
 * here, below the session layer, lets the protocol be tested on plain in-memory buffers.
 */
package io.sluice.core.tcp;
