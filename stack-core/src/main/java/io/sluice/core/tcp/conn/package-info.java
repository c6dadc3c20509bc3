/**
 * The TCP connection: RFC 9293's state machine over the receive and send buffers, with RFC 5961's defences and
 * RFC 7323's options, SACK-based loss recovery (RFC 6675, RACK-TLP of RFC 8985), Nagle, silly-window avoidance and
 * keep-alive, driven by segments, user calls and timer deadlines (see {@link
 * io.sluice.core.tcp.conn.TcpConnection}). Pure and single-threaded, like the building blocks in
 * {@code io.sluice.core.tcp.cc} and {@code io.sluice.core.tcp.recovery} it drives.
 */
package io.sluice.core.tcp.conn;
