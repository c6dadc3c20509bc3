/**
 * TCP inside the stack: the per-worker connection tables and timers, the listeners, the nodes {@code tcp4-input}
 * and {@code tcp4-output}, and the thread-safe handles ({@link io.sluice.core.tcp.layer.TcpFlow},
 * {@link io.sluice.core.tcp.layer.TcpListener}) through which the session layer opens, feeds and closes
 * connections. The state machine itself is {@link io.sluice.core.tcp.conn.TcpConnection}.
 */
package io.sluice.core.tcp.layer;
