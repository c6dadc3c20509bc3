package io.sluice.core.engine;

import io.sluice.core.buffer.BufferCache;
import org.jctools.queues.atomic.SpscAtomicArrayQueue;

/**
 * The hand-off queues between every ordered pair of workers: {@code forward[s][t]} carries frames of buffers from
 * worker s to worker t, and {@code back[s][t]} returns the emptied frames from t to s. Both are JCTools SPSC queues
 * (one producer thread, one consumer thread each). A pair owns a fixed set of frames, all allocated here, and each
 * queue holds them all, so an offer never fails: when s has no empty frame left, t is that far behind and the
 * packet is dropped ({@code handoff-queue-full}).
 */
final class HandoffMesh {

    private final int workers;
    private final SpscAtomicArrayQueue<HandoffFrame>[][] forward;
    private final SpscAtomicArrayQueue<HandoffFrame>[][] back;
    private final Doorbell[] doorbells;

    @SuppressWarnings("unchecked")
    HandoffMesh(int workers, int framesPerPair, Doorbell[] doorbells) {
        this.workers = workers;
        this.doorbells = doorbells;
        this.forward = new SpscAtomicArrayQueue[workers][workers];
        this.back = new SpscAtomicArrayQueue[workers][workers];
        for (int s = 0; s < workers; s++) {
            for (int t = 0; t < workers; t++) {
                if (s == t) {
                    continue;
                }
                forward[s][t] = new SpscAtomicArrayQueue<>(framesPerPair);
                back[s][t] = new SpscAtomicArrayQueue<>(framesPerPair);
                for (int f = 0; f < framesPerPair; f++) {
                    back[s][t].offer(new HandoffFrame());
                }
            }
        }
    }

    int workers() {
        return workers;
    }

    /** Sender s: an empty frame for target t, or null when all are in flight. */
    HandoffFrame emptyFrame(int s, int t) {
        return back[s][t].relaxedPoll();
    }

    /** Sender s: sends a filled frame to t and wakes t if it sleeps. */
    boolean send(int s, int t, HandoffFrame frame) {
        boolean sent = forward[s][t].offer(frame);
        doorbells[t].ring();
        return sent;
    }

    /** Receiver t: the next frame from s, or null. */
    HandoffFrame receive(int s, int t) {
        return forward[s][t].relaxedPoll();
    }

    /** Receiver t: gives an emptied frame back to s. */
    void recycle(int s, int t, HandoffFrame frame) {
        frame.count = 0;
        back[s][t].offer(frame);
    }

    /** Frames of pair (s, t) at home with s and in flight to t (for diagnostics: racy while workers run). */
    String describe(int s, int t) {
        return "pair " + s + "->" + t + ": " + back[s][t].size() + " free, " + forward[s][t].size() + " in flight";
    }

    /** Whether a frame waits for worker t (checked before t sleeps). */
    boolean hasFramesFor(int t) {
        for (int s = 0; s < workers; s++) {
            if (s != t && !forward[s][t].isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Frees every buffer still in flight into {@code cache} and recycles the frames. Only once every worker has
     * stopped: the caller becomes the consumer of every queue.
     *
     * @return buffers freed
     */
    int freeInFlight(BufferCache cache) {
        int freed = 0;
        for (int t = 0; t < workers; t++) {
            for (int s = 0; s < workers; s++) {
                if (s == t) {
                    continue;
                }
                HandoffFrame frame;
                while ((frame = forward[s][t].poll()) != null) {
                    for (int i = 0; i < frame.count; i++) {
                        cache.freeChain(frame.buffers[i]);
                    }
                    freed += frame.count;
                    recycle(s, t, frame);
                }
            }
        }
        return freed;
    }
}
