package io.sluice.session.cut;

/** Receives the IO events drained from a cut-through channel's incoming queue, on the draining worker's thread. */
@FunctionalInterface
public interface CutThroughHandler {

    /**
     * One event.
     *
     * @param eventType {@link CutThroughEvent#RX} (the peer wrote into {@code fifoFromPeer(slot)}; its has-event
     *                  flag is already cleared, so read until empty) or {@link CutThroughEvent#DEQUEUED} (the peer
     *                  read from {@code fifoToPeer(slot)}: there is space again)
     * @param slot      the session's FIFO pair slot in the channel
     */
    void onEvent(int eventType, int slot);
}
