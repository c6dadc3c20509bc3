package io.sluice.core.engine;

import io.sluice.core.graph.Frame;

/** Buffer indices in flight from one worker to another; frames circulate between a worker pair, never allocated. */
final class HandoffFrame {

    final int[] buffers = new int[Frame.CAPACITY];
    int count;

    boolean isFull() {
        return count == buffers.length;
    }
}
