package io.sluice.core.ip;

import io.sluice.core.buffer.BufferCache;
import java.util.ArrayList;
import java.util.List;

/** Records what an {@link ArpTable} asks for; frees dropped buffers through a cache when one is given. */
final class RecordingEvents implements NeighbourEvents {

    record Sent(int ifIndex, int buffer, long mac) { }

    record Dropped(int ifIndex, int buffer, ArpDropReason reason) { }

    record Request(int ifIndex, int ip, long destination) { }

    final List<Sent> sent = new ArrayList<>();
    final List<Dropped> dropped = new ArrayList<>();
    final List<Request> requests = new ArrayList<>();
    private final BufferCache cache;

    RecordingEvents(BufferCache cache) {
        this.cache = cache;
    }

    @Override
    public void transmit(int ifIndex, int bufferIndex, long mac) {
        sent.add(new Sent(ifIndex, bufferIndex, mac));
        if (cache != null) {
            cache.free(bufferIndex);
        }
    }

    @Override
    public void drop(int ifIndex, int bufferIndex, ArpDropReason reason) {
        dropped.add(new Dropped(ifIndex, bufferIndex, reason));
        if (cache != null && !cache.free(bufferIndex)) {
            throw new AssertionError("buffer " + bufferIndex + " freed twice");
        }
    }

    @Override
    public void sendRequest(int ifIndex, int ip, long destinationMac) {
        requests.add(new Request(ifIndex, ip, destinationMac));
    }
}
