/**
 * A whole stack assembled from its parts: {@link io.sluice.core.stack.Stack} builds the buffer pool, the
 * interfaces (TAP devices from {@code startup.conf}, their Linux side configured), the routing table, the UDP
 * sockets and the engine whose workers run the protocol graph. The daemon ({@code bin/sluice stack}) and the
 * benchmarks start stacks through it.
 */
package io.sluice.core.stack;
