/**
 * Wire formats: views, checks and emitters for Ethernet II, ARP, IPv4, ICMPv4, UDP and TCP (header and options)
 * over packet bytes, the Internet checksum, and the address values (MAC, IPv4, prefixes) that configuration and
 * tables use. This is the parsing layer the graph nodes (ethernet-input, arp-input, ip4-input, icmp4-input,
 * udp4-input, and TCP's input node to come) call on buffers.
 *
 * <h2>Why static methods over (segment, offset)</h2>
 * Every header is read and written by static methods taking the pool's {@link java.lang.foreign.MemorySegment}
 * and the header's offset in it: {@code Ipv4.totalLength(mem, off)}, {@code Ethernet.source(mem, off)}. A packet
 * is already named by an index into one segment ({@code pool.memory()}, {@code pool.dataOffset(i)}), so a header
 * is fully named by a {@code long}; a cursor object ({@code view.wrap(mem, off, length)}) would add state that
 * must be re-pointed per packet, kept per worker and kept consistent when a node walks from one layer to the
 * next, for no gain: the JIT inlines these small methods into straight loads. The static style is used
 * throughout; nothing here holds state, except {@link io.sluice.core.wire.TcpOptions}, a per-worker holder that
 * the option parser fills because a segment carries too many option values to return in an {@code int}.
 *
 * <h2>Checks before reads</h2>
 * The smoltcp split of "checked on construction" becomes: each layer has a {@code check(mem, off, length, ...)}
 * that reads nothing outside {@code [off, off + length)} and returns {@link io.sluice.core.wire.WireError#OK} or
 * a named reason from {@link io.sluice.core.wire.WireError}. Accessors do not check: they are valid on a header
 * that passed its check (a node calls {@code check} first, counts and drops on any other result). No method here
 * throws on packet contents, allocates, or boxes; the only exceptions possible on the data path are index errors
 * from a caller passing an offset outside the segment, which is a bug in the caller, not a bad packet.
 *
 * <h2>How a node uses it</h2>
 * <pre>{@code
 * MemorySegment mem = pool.memory();
 * long off = pool.dataOffset(b);
 * int result = Ipv4.check(mem, off, pool.currentLength(b), offloadVerified);
 * if (result != WireError.OK) {        // IP4_FRAGMENT included: to reassembly, or counted and dropped
 *     errors[result]++;                // one counter per reason, printed with WireError.symbol/description
 *     drop(b);
 * } else {
 *     pool.advance(b, Ipv4.headerLength(mem, off));
 *     ...
 * }
 * }</pre>
 *
 * <h2>Values</h2>
 * On the data path a MAC address is a {@code long} (48 bits, first wire byte highest) and an IPv4 address an
 * {@code int} (first wire byte highest), so comparisons and table lookups cost nothing. The records
 * {@link io.sluice.core.wire.MacAddress}, {@link io.sluice.core.wire.Ip4Address} and
 * {@link io.sluice.core.wire.Ip4Prefix} wrap them for configuration, tables and the CLI, and parse and format
 * text strictly. {@link io.sluice.core.wire.IpAddress} is sealed over the address families so IPv6 slots in
 * later with the compiler pointing at every switch to extend.
 *
 * <h2>Byte order</h2>
 * Fields are big-endian (network order); every multi-byte access goes through big-endian unaligned layouts.
 * Offsets of every field are named constants beside an ASCII diagram of the header and the RFC it comes from.
 */
package io.sluice.core.wire;
