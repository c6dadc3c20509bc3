package io.sluice.session.cut;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.core.sys.SyscallException;
import io.sluice.session.fifo.ByteFifo;
import io.sluice.session.mq.EventFdDoorbell;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * 1 GiB from the connector to the accepter, with 256 MiB the other way at the same time, between two threads acting
 * as the two applications, each with its own end over its own mappings. Both sleep on their eventfds when they can
 * neither write nor read (so it runs on two shared CPUs), woken only by the other's events. The bytes are compared by
 * CRC32C; the throughput is printed, not asserted. Then small messages back and forth, to print the round-trip rate
 * when each side sleeps while it waits for the other.
 */
class CutThroughTransferTest {

    private static final long GIB = 1L << 30;
    private static final int FIFO_BYTES = 256 * 1024;
    private static final int SOURCE_BYTES = 1 << 20;
    private static final int CHUNK = 64 * 1024;
    /** Bytes of a round trip's message. */
    private static final int MESSAGE = 64;
    /** Idle rounds (drain, try to write, try to read) before a worker sleeps. */
    private static final int SPINS = 200;
    /** A sleep that times out means a lost wakeup (or a peer descheduled that long): counted and bounded. */
    private static final int SLEEP_MILLIS = 1_000;
    private static final long LIMIT_NANOS = TimeUnit.SECONDS.toNanos(60);

    @Test
    @Timeout(90)
    void oneGibibyteArrivesIntactWithBothDirectionsAtOnce() throws Exception {
        try (ChannelFixture f = ChannelFixture.open(51, 4, FIFO_BYTES); Arena arena = Arena.ofShared()) {
            int slot = f.channel.allocate().slot();
            long deadline = System.nanoTime() + LIMIT_NANOS;
            Worker connector = new Worker("connector", f.connector, f.connectorWakeup, slot, GIB, GIB / 4,
                    randomBytes(arena, 1), arena, deadline);
            Worker accepter = new Worker("accepter", f.accepter, f.accepterWakeup, slot, GIB / 4, GIB,
                    randomBytes(arena, 2), arena, deadline);
            long start = System.nanoTime();
            Thread a = Thread.ofPlatform().name("cut-connector").start(connector);
            Thread b = Thread.ofPlatform().name("cut-accepter").start(accepter);
            a.join(TimeUnit.NANOSECONDS.toMillis(LIMIT_NANOS) + 10_000);
            b.join(10_000);
            double seconds = (System.nanoTime() - start) / 1e9;
            assertFalse(a.isAlive() || b.isAlive(), "workers still running after the time limit");
            connector.rethrow();
            accepter.rethrow();

            assertEquals(GIB, accepter.received);
            assertEquals(GIB / 4, connector.received);
            assertEquals(connector.sentCrc.getValue(), accepter.receivedCrc.getValue(), "connector to accepter bytes");
            assertEquals(accepter.sentCrc.getValue(), connector.receivedCrc.getValue(), "accepter to connector bytes");
            long bytes = GIB + GIB / 4;
            System.out.printf("cut-through: %d MiB in %.2f s = %.2f Gbit/s (both directions); %s; %s%n",
                    bytes >> 20, seconds, bytes * 8 / seconds / 1e9, connector, accepter);
            assertTrue(connector.timeouts + accepter.timeouts <= 2,
                    "sleeps that ended by timeout, not by the peer's doorbell: " + connector + "; " + accepter);
            assertEquals(0, connector.end.badEvents() + accepter.end.badEvents());
        }
    }

    @Test
    @Timeout(60)
    void smallMessagesMakeRoundTripsWithBothWorkersSleeping() throws Exception {
        int rounds = 50_000;
        try (ChannelFixture f = ChannelFixture.open(52, 4, 4096)) {
            int slot = f.channel.allocate().slot();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
            AtomicReference<Throwable> echoFailure = new AtomicReference<>();
            Thread echo = Thread.ofPlatform().name("cut-echo").start(() -> {
                try {
                    byte[] message = new byte[MESSAGE];
                    EventLog log = new EventLog();
                    for (int i = 0; i < rounds; i++) {
                        awaitRx(f.accepter, f.accepterWakeup, log, deadline);
                        assertEquals(MESSAGE, f.accepter.fifoFromPeer(slot).dequeue(message, 0, MESSAGE));
                        assertEquals(MESSAGE, f.accepter.fifoToPeer(slot).enqueue(message, 0, MESSAGE));
                        f.accepter.postRx(slot);
                    }
                } catch (Throwable t) {
                    echoFailure.set(t);
                }
            });
            byte[] sent = new byte[MESSAGE];
            byte[] back = new byte[MESSAGE];
            EventLog log = new EventLog();
            long sleeps = 0;
            long start = System.nanoTime();
            try {
                for (int i = 0; i < rounds; i++) {
                    sent[i % MESSAGE] = (byte) i;
                    assertEquals(MESSAGE, f.connector.fifoToPeer(slot).enqueue(sent, 0, MESSAGE));
                    f.connector.postRx(slot);
                    sleeps += awaitRx(f.connector, f.connectorWakeup, log, deadline);
                    assertEquals(MESSAGE, f.connector.fifoFromPeer(slot).dequeue(back, 0, MESSAGE));
                    assertArrayEquals(sent, back, "round trip " + i);
                }
            } finally {
                echo.join(TimeUnit.NANOSECONDS.toMillis(Math.max(0, deadline - System.nanoTime())) + 5_000);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            assertFalse(echo.isAlive(), "echo still running");
            if (echoFailure.get() != null) {
                throw new AssertionError("echo failed", echoFailure.get());
            }
            System.out.printf("cut-through: %d round trips of %d bytes in %.2f s = %.0f round trips/s; the connector"
                    + " slept in %d of its waits%n", rounds, MESSAGE, seconds, rounds / seconds, sleeps);
        }
    }

    /**
     * Drains events into {@code log} until an RX event came, spinning a little, then sleeping on the eventfd.
     *
     * @return how many times it slept
     */
    private static int awaitRx(CutThroughEnd end, EventFdDoorbell wakeup, EventLog log, long deadline)
            throws SyscallException {
        int before = log.rx;
        int idle = 0;
        int sleeps = 0;
        while (log.rx == before) {
            if (end.drain(log) > 0) {
                continue;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(end + ": no RX event before the time limit");
            }
            if (++idle < SPINS) {
                Thread.onSpinWait();
            } else {
                idle = 0;
                sleeps += sleepOnEventFd(end, wakeup) == Sleep.NONE ? 0 : 1;
            }
        }
        return sleeps;
    }

    /** How a worker's sleep ended. */
    private enum Sleep { NONE, WOKEN, TIMED_OUT }

    /** Announces a sleep on the end's queue and waits on the worker's eventfd, unless an event arrived meanwhile. */
    private static Sleep sleepOnEventFd(CutThroughEnd end, EventFdDoorbell wakeup) throws SyscallException {
        if (!end.prepareToSleep()) {
            return Sleep.NONE;
        }
        try {
            return wakeup.await(SLEEP_MILLIS) ? Sleep.WOKEN : Sleep.TIMED_OUT;
        } finally {
            end.cancelSleep();
        }
    }

    private static MemorySegment randomBytes(Arena arena, long seed) {
        byte[] bytes = new byte[SOURCE_BYTES];
        new Random(seed).nextBytes(bytes);
        return arena.allocate(SOURCE_BYTES, 64).copyFrom(MemorySegment.ofArray(bytes));
    }

    /** One application worker's loop: drain events, write while there is space, read while there are bytes, sleep. */
    private static final class Worker implements CutThroughHandler, Runnable {

        final String name;
        final CutThroughEnd end;
        final EventFdDoorbell wakeup;
        final int slot;
        final long toSend;
        final long toReceive;
        final MemorySegment source;
        final MemorySegment sink;
        final long deadline;
        final CRC32C sentCrc = new CRC32C();
        final CRC32C receivedCrc = new CRC32C();
        long sent;
        long received;
        long sleeps;
        long timeouts;
        long rxEvents;
        long dequeuedEvents;
        /** An RX event came: read until the FIFO is empty. */
        boolean readable;
        /** False after the FIFO was found full, until a DEQUEUED event. */
        boolean writable = true;
        volatile Throwable failure;

        Worker(String name, CutThroughEnd end, EventFdDoorbell wakeup, int slot, long toSend, long toReceive,
                MemorySegment source, Arena arena, long deadline) {
            this.name = name;
            this.end = end;
            this.wakeup = wakeup;
            this.slot = slot;
            this.toSend = toSend;
            this.toReceive = toReceive;
            this.source = source;
            this.sink = arena.allocate(CHUNK, 64);
            this.deadline = deadline;
        }

        @Override
        public void onEvent(int eventType, int eventSlot) {
            if (eventSlot != slot) {
                throw new AssertionError(name + ": event for slot " + eventSlot);
            }
            if (eventType == CutThroughEvent.RX) {
                rxEvents++;
                readable = true;
            } else {
                dequeuedEvents++;
                writable = true;
            }
        }

        @Override
        public void run() {
            try {
                int idle = 0;
                while (sent < toSend || received < toReceive) {
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError(name + " out of time: " + this);
                    }
                    boolean progress = end.drain(this) > 0;
                    progress |= writable && sent < toSend && write();
                    progress |= readable && read();
                    if (progress) {
                        idle = 0;
                    } else if (++idle < SPINS) {
                        Thread.onSpinWait();
                    } else {
                        idle = 0;
                        sleep();
                    }
                }
            } catch (Throwable t) {
                failure = t;
            }
        }

        private boolean write() {
            ByteFifo fifo = end.fifoToPeer(slot);
            int at = (int) (sent % SOURCE_BYTES);
            int length = (int) Math.min(CHUNK, Math.min(toSend - sent, SOURCE_BYTES - at));
            int written = fifo.enqueue(source, at, length);
            if (written > 0) {
                sentCrc.update(source.asSlice(at, written).asByteBuffer());
                sent += written;
                end.postRx(slot);
                return true;
            }
            if (end.requestDequeueNotification(slot) > 0) {
                return true; // the reader freed space meanwhile: write again at once
            }
            writable = false;
            return false;
        }

        private boolean read() {
            ByteFifo fifo = end.fifoFromPeer(slot);
            int moved = fifo.dequeue(sink, 0, CHUNK);
            if (moved == 0) {
                readable = false; // the next byte written raises a new RX event: drain cleared the flag
                return false;
            }
            receivedCrc.update(sink.asSlice(0, moved).asByteBuffer());
            received += moved;
            end.notifyWriterIfWanted(slot);
            return true;
        }

        private void sleep() throws SyscallException {
            Sleep outcome = sleepOnEventFd(end, wakeup);
            sleeps += outcome == Sleep.NONE ? 0 : 1;
            timeouts += outcome == Sleep.TIMED_OUT ? 1 : 0;
        }

        void rethrow() {
            if (failure != null) {
                throw new AssertionError(name + " failed", failure);
            }
        }

        @Override
        public String toString() {
            return name + " sent " + sent + " received " + received + ", " + rxEvents + " RX and " + dequeuedEvents
                    + " DEQUEUED events, " + sleeps + " sleeps, " + timeouts + " timeouts";
        }
    }
}
