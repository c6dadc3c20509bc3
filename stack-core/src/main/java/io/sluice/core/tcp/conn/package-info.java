/**
 * The TCP connection: RFC 9293's state machine over the receive and send buffers, with RFC 5961's defences and
 * RFC 7323's options, driven by segments, user calls and timer deadlines (see {@link
 * io.sluice.core.tcp.conn.TcpConnection}). Pure and single-threaded, like the building blocks in
 * {@code io.sluice.core.tcp.cc} and {@code io.sluice.core.tcp.recovery} it drives.
 */
package io.sluice.core.tcp.conn;
