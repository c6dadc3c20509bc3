package io.sluice.core.graph;

import io.sluice.core.buffer.BufferCache;
import io.sluice.core.buffer.BufferPool;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Describes a packet graph once (which nodes exist) and builds an instance of it per worker: every node is created
 * anew from its factory, next-node names are resolved to indices, and the frame pool is preallocated.
 */
public final class GraphBuilder {

    /** Frames per graph instance unless said otherwise: plenty for a graph's fan-out per pass. */
    public static final int DEFAULT_FRAMES_PER_NODE = 8;

    private final Map<String, Supplier<? extends Node>> factories = new LinkedHashMap<>();

    /** Adds a node kind; {@code factory} must create nodes named {@code name}. */
    public GraphBuilder add(String name, Supplier<? extends Node> factory) {
        if (factories.putIfAbsent(name, factory) != null) {
            throw new IllegalArgumentException("node '" + name + "' is added twice");
        }
        return this;
    }

    /** Builds one worker's graph with {@link #DEFAULT_FRAMES_PER_NODE} frames per node. */
    public Graph build(BufferPool pool, BufferCache cache) {
        return build(pool, cache, DEFAULT_FRAMES_PER_NODE * Math.max(1, factories.size()));
    }

    /**
     * Builds one worker's graph.
     *
     * @throws IllegalArgumentException naming the node and the missing name when a next node does not exist
     */
    public Graph build(BufferPool pool, BufferCache cache, int framePoolSize) {
        if (framePoolSize < 1) {
            throw new IllegalArgumentException("frame pool of " + framePoolSize + " frames");
        }
        List<Node> nodes = new ArrayList<>(factories.size());
        Map<String, Integer> indexByName = new HashMap<>();
        for (Map.Entry<String, Supplier<? extends Node>> e : factories.entrySet()) {
            Node node = e.getValue().get();
            if (!node.name().equals(e.getKey())) {
                throw new IllegalArgumentException("factory for '" + e.getKey() + "' made a node named '"
                        + node.name() + "'");
            }
            indexByName.put(node.name(), nodes.size());
            nodes.add(node);
        }
        int[][] nextIndices = new int[nodes.size()][];
        for (int i = 0; i < nodes.size(); i++) {
            List<String> next = nodes.get(i).nextNodes();
            nextIndices[i] = new int[next.size()];
            for (int n = 0; n < next.size(); n++) {
                Integer target = indexByName.get(next.get(n));
                if (target == null) {
                    throw new IllegalArgumentException("node '" + nodes.get(i).name() + "' sends to '" + next.get(n)
                            + "', which is not in the graph (nodes: " + indexByName.keySet() + ")");
                }
                nextIndices[i][n] = target;
            }
        }
        return new Graph(nodes, nextIndices, pool, cache, framePoolSize);
    }
}
