package io.sluice.session.cut;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.core.sys.SyscallException;
import io.sluice.core.util.AllocationMeter;
import io.sluice.session.fifo.ByteFifo;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Zero heap allocation per session operation in steady state: write, post RX (ringing a sleeping reader's eventfd),
 * drain, read; and a full FIFO's dequeue notification back to the writer.
 */
@Timeout(120)
class CutThroughAllocationFreeTest {

    @Test
    void writePostDrainReadAndNotifyAllocateNothing() throws Exception {
        try (ChannelFixture f = ChannelFixture.open(41, 4, 4096); Arena arena = Arena.ofConfined()) {
            int slot = f.channel.allocate().slot();
            MemorySegment chunk = arena.allocate(1024);
            MemorySegment sink = arena.allocate(4096);
            ByteFifo out = f.connector.fifoToPeer(slot);
            ByteFifo in = f.accepter.fifoFromPeer(slot);
            EventLog accepterLog = new EventLog();
            EventLog connectorLog = new EventLog();
            Runnable session = () -> {
                try {
                    for (int turn = 0; turn < 1_000; turn++) {
                        // The reader sleeps, so the post rings its eventfd.
                        check(f.accepter.prepareToSleep(), "accepter may sleep");
                        while (out.enqueue(chunk, 0, (int) chunk.byteSize()) > 0) {
                            f.connector.postRx(slot);
                        }
                        check(f.connector.requestDequeueNotification(slot) == 0, "writer sees the FIFO full");
                        check(f.accepterWakeup.await(1_000), "accepter rung");
                        f.accepter.cancelSleep();
                        f.accepter.drain(accepterLog);
                        check(in.dequeue(sink, 0, (int) sink.byteSize()) == 4096, "reader read the FIFO");
                        check(f.accepter.notifyWriterIfWanted(slot), "reader notified the writer");
                        f.connector.drain(connectorLog);
                    }
                } catch (SyscallException e) {
                    throw new UncheckedIOException(e);
                }
            };
            // 1000 turns per run: the eventfd downcalls stop allocating only once the JIT has compiled them.
            assertEquals(0, AllocationMeter.allocatedInSteadyState(session),
                    "bytes allocated by 1000 turns of a session");
            assertEquals(accepterLog.rx, connectorLog.dequeued, "one RX and one DEQUEUED per turn");
            assertEquals(0, f.accepter.badEvents() + f.connector.badEvents());
        }
    }

    private static void check(boolean condition, String what) {
        if (!condition) {
            throw new AssertionError(what);
        }
    }
}
