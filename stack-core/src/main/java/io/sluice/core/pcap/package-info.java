/**
 * Packet capture to pcap files: what {@code pcap trace rx tx max N file PATH} turns on and {@code pcap trace off}
 * turns off. {@link io.sluice.core.pcap.PcapWriter} writes the classic libpcap format described in
 * {@link io.sluice.core.pcap.PcapFormat} (nanosecond timestamps, Ethernet link type), which {@code tshark},
 * Wireshark and {@code tcpdump -r} read.
 *
 * <h2>Where it is called from</h2>
 * Like smoltcp's pcap wrapper around any device, capture is meant to sit at a device's edge: a device wrapper (or
 * the device's input and output graph nodes) calls {@code write(now, pool, head)} for each received frame before
 * the stack sees it and for each frame it sends, with the worker's loop time. The writer knows nothing of devices
 * or of the graph: it takes bytes in a {@link java.lang.foreign.MemorySegment} or a buffer chain of the
 * {@link io.sluice.core.buffer.BufferPool}, so whichever shape the device interface takes, the call stays one line.
 *
 * <h2>Cost on the data path</h2>
 * One copy of at most {@code snapLength} bytes per packet into a direct staging buffer; no allocation, no system
 * call. A full staging buffer (1 MiB by default) goes to the file in one {@code FileChannel} write, which runs on
 * the worker, so a worker capturing to a slow disk stalls for that write; a capture is a debugging aid, bounded by
 * its packet or byte limit, and turned off by the caller when {@code write} starts returning {@code false}.
 *
 * <h2>Threads</h2>
 * A writer belongs to one thread at a time. Several workers capturing into one file is not supported yet.
 */
package io.sluice.core.pcap;
