/**
 * The vector packet engine's graph: nodes pass frames of up to 256 buffer indices to each other through next-index
 * tables; each worker runs its own instance ({@link io.sluice.core.graph.GraphBuilder#build}) to completion per
 * pass ({@link io.sluice.core.graph.Graph#runOnce}), with per-node runtime counters and named drop reasons. Frames
 * come from a pool preallocated per graph: nothing on the packet path allocates.
 */
package io.sluice.core.graph;
