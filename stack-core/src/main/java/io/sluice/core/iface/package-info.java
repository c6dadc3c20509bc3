/**
 * The stack's interfaces: the one table that gives every device an interface index. Buffers carry these indices
 * ({@code rxInterface}, {@code txInterface}); the engine's device nodes, the IP layer's addresses and routes and the
 * control CLI all name an interface by its index here.
 */
package io.sluice.core.iface;
