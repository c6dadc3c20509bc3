package io.sluice.session.mq;

import java.lang.foreign.MemorySegment;

/** Receives messages drained from a {@link MessageQueue}, one call per message, on the consumer's thread. */
@FunctionalInterface
public interface MessageHandler {

    /**
     * Handles one message: {@code length} bytes at {@code offset} of {@code memory}. The bytes are valid only
     * during the call (the slot is reused after it returns); read them, do not keep the segment.
     */
    void onMessage(MemorySegment memory, long offset, int length);
}
