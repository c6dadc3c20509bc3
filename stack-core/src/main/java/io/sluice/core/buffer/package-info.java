/**
 * Packet buffers: one off-heap pool per process, buffers named by {@code int} index, taken and returned through a
 * cache per worker thread. The design follows VPP's vlib buffers.
 *
 * <h2>Why indices</h2>
 * A buffer is a fixed slot of the pool's region ({@link io.sluice.core.buffer.BufferPool#memory()}), named by its
 * index: buffer {@code i} starts at {@code i * stride}. Graph nodes pass vectors of up to 256 indices in an
 * {@code int[]}: 1 KiB, half of what 64-bit addresses would take and none of the headers, pointer chasing or
 * garbage collection that 256 buffer objects would cost. An index is also meaningful in another process that
 * maps the same region (a later mmap'd backing, see {@link io.sluice.core.buffer.BufferMemory}), which no Java
 * reference is. So nothing on the data path is an object: metadata is read and written through the pool with
 * the index ({@code pool.currentLength(i)}, {@code pool.advance(i, 14)}), and exhaustion is the value
 * {@link io.sluice.core.buffer.BufferPool#NO_BUFFER}, never an exception.
 *
 * <h2>Why an odd stride</h2>
 * A set-associative CPU cache picks the set of a line from the low bits of its address. If buffers were an even
 * number of lines apart (2304 bytes = 36 lines, say), the metadata line of every buffer would map to the even
 * sets only, and with power-of-two strides to a handful of sets: walking a vector of buffers would evict its
 * own metadata while half the cache idles. With an odd number of lines between buffers, consecutive buffers'
 * first lines step through all the sets. The stride is therefore header + headroom + data rounded up to lines,
 * plus one line when even: the defaults give 64 + 128 + 2048 = 2240 bytes = 35 lines
 * ({@link io.sluice.core.buffer.BufferPoolConfig#stride()}).
 *
 * <h2>Why a per-worker cache</h2>
 * Workers allocate and free buffers for every packet, from several cores. A shared structure touched per
 * packet would bounce its cache lines between cores and serialise the workers. Each worker instead owns a
 * {@link io.sluice.core.buffer.BufferCache} of free indices (512 by default): allocation and free are a push or
 * pop on a private {@code int[]} with no atomic instruction. Only when the cache runs empty or full does it
 * move half its capacity to or from the shared free list in one batch under a short spin lock, so the shared
 * list is touched once every few hundred operations and the recently freed, cache-warm buffers are the ones
 * reused. Buffers freed on one worker become available to the others through those flushes.
 *
 * <h2>Checks</h2>
 * Every buffer carries a FREE/ALLOCATED state word: double frees are always detected, rejected and counted
 * (the check reads the metadata line the worker has just used, so it is almost free). Chain walks are bounded
 * by the buffer count, so a corrupted, looping chain fails instead of spinning.
 */
package io.sluice.core.buffer;
