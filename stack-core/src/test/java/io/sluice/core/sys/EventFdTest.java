package io.sluice.core.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class EventFdTest {

    @Test
    void counterAddsWritesAndReadResetsIt() throws Exception {
        try (EventFd efd = EventFd.create(5, EventFd.EFD_NONBLOCK | EventFd.EFD_CLOEXEC)) {
            assertTrue(efd.write(3));
            assertTrue(efd.write(2));
            assertEquals(10, efd.read());
            assertEquals(EventFd.EMPTY, efd.read(), "a read resets the counter to zero");
        }
    }

    @Test
    void semaphoreModeReadsOneAtATime() throws Exception {
        try (EventFd efd = EventFd.create(0, EventFd.EFD_NONBLOCK | EventFd.EFD_SEMAPHORE)) {
            assertTrue(efd.write(3));
            assertEquals(1, efd.read());
            assertEquals(1, efd.read());
            assertEquals(1, efd.read());
            assertEquals(EventFd.EMPTY, efd.read());
        }
    }

    @Test
    void nonBlockingReadOfEmptyCounterReturnsEmpty() throws Exception {
        try (EventFd efd = EventFd.create(0, EventFd.EFD_NONBLOCK)) {
            assertEquals(EventFd.EMPTY, efd.read());
            assertTrue(efd.fd().isNonBlocking());
        }
    }

    @Test
    void overflowOfNonBlockingCounterReturnsFalse() throws Exception {
        try (EventFd efd = EventFd.create(0, EventFd.EFD_NONBLOCK)) {
            assertTrue(efd.write(EventFd.MAX_COUNT), "the counter may hold 0xfffffffffffffffe");
            assertFalse(efd.write(1), "one more would overflow: EAGAIN");
            assertEquals(EventFd.MAX_COUNT, efd.read(), "the failed write left the counter alone");
        }
    }

    @Test
    void blockingReadWakesWhenAnotherThreadWrites() throws Exception {
        try (EventFd efd = EventFd.create(0, EventFd.EFD_CLOEXEC)) {
            Thread writer = Thread.ofPlatform().start(() -> {
                try {
                    Thread.sleep(50);
                    efd.write(42);
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            assertEquals(42, efd.read());
            writer.join();
        }
    }

    @Test
    void manyThreadsWriteWithoutLosingCounts() throws Exception {
        try (EventFd efd = EventFd.create(0, EventFd.EFD_NONBLOCK)) {
            Thread[] writers = new Thread[4];
            for (int i = 0; i < writers.length; i++) {
                writers[i] = Thread.ofPlatform().start(() -> {
                    for (int n = 0; n < 10_000; n++) {
                        try {
                            efd.write(1);
                        } catch (SyscallException e) {
                            throw new AssertionError(e);
                        }
                    }
                });
            }
            for (Thread writer : writers) {
                writer.join();
            }
            assertEquals(40_000, efd.read());
        }
    }

    @Test
    void badArgumentsAreRejectedWithTheirValues() {
        IllegalArgumentException initial = assertThrows(IllegalArgumentException.class,
                () -> EventFd.create(-1, 0));
        assertTrue(initial.getMessage().contains("-1"), initial.getMessage());
        IllegalArgumentException flags = assertThrows(IllegalArgumentException.class,
                () -> EventFd.create(0, 0x10));
        assertTrue(flags.getMessage().contains("0x10"), flags.getMessage());
    }

    @Test
    void writingAllOnesIsRejected() throws Exception {
        try (EventFd efd = EventFd.create(0, EventFd.EFD_NONBLOCK)) {
            assertThrows(IllegalArgumentException.class, () -> efd.write(-1L));
        }
    }

    @Test
    void useAfterCloseFailsAndCloseIsIdempotent() throws Exception {
        EventFd efd = EventFd.create(0, EventFd.EFD_NONBLOCK);
        efd.close();
        efd.close();
        assertFalse(efd.fd().isOpen());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> efd.write(1));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }
}
