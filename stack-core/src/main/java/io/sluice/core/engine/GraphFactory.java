package io.sluice.core.engine;

import io.sluice.core.graph.GraphBuilder;

/**
 * Adds the protocol nodes to a worker's graph. The engine calls it once per worker, on that worker's thread, before
 * adding its own nodes ({@value DeviceInputNode#NAME}, {@value InterfaceOutputNode#NAME}, {@value HandoffNode#NAME},
 * {@value HandoffInputNode#NAME}) to the same builder; the factory must add a node named
 * {@value DeviceInputNode#NEXT_NODE}, where received and handed-off frames go.
 */
@FunctionalInterface
public interface GraphFactory {

    /** Adds this stack's nodes to {@code builder}; {@code resources} are the worker's own. */
    void addNodes(GraphBuilder builder, WorkerResources resources);
}
