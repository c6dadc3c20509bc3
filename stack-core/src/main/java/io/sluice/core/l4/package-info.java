/**
 * ICMPv4 and UDP, the transport-level nodes of a worker's graph and the UDP sockets behind them: icmp4-input (echo
 * replies, received errors), icmp4-error (the errors the stack sends, with RFC 1122's rules and a per-worker rate
 * limit), udp4-input (checks, port lookup, delivery to a {@link io.sluice.core.l4.UdpSocket} or the built-in echo
 * service, port unreachable), udp4-socket-output (datagrams applications queued). {@link io.sluice.core.l4.L4Nodes}
 * adds them to a worker's graph.
 *
 * <p>One package, not one for ICMP and one for UDP: the two call each other (udp4-input asks icmp4-error for a port
 * unreachable; icmp4-input tells UDP sockets of the errors it receives), so two packages would either form a cycle
 * or have to make their internals public to each other.
 */
package io.sluice.core.l4;
