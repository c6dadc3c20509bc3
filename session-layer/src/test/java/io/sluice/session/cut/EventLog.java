package io.sluice.session.cut;

/** A {@link CutThroughHandler} that keeps the last event and counts them by type, allocating nothing. */
final class EventLog implements CutThroughHandler {

    int rx;
    int dequeued;
    int lastType;
    int lastSlot = -1;

    @Override
    public void onEvent(int eventType, int slot) {
        if (eventType == CutThroughEvent.RX) {
            rx++;
        } else if (eventType == CutThroughEvent.DEQUEUED) {
            dequeued++;
        }
        lastType = eventType;
        lastSlot = slot;
    }
}
