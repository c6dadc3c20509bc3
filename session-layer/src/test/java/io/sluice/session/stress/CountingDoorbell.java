package io.sluice.session.stress;

import io.sluice.session.mq.Doorbell;
import java.util.concurrent.atomic.AtomicInteger;

/** A doorbell that counts its rings (several producers may ring the same one). */
final class CountingDoorbell implements Doorbell {

    private final AtomicInteger rings = new AtomicInteger();

    @Override
    public void ring() {
        rings.incrementAndGet();
    }

    int rings() {
        return rings.get();
    }
}
