package io.sluice.session.crossprocess;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.core.sys.MemFd;
import io.sluice.core.sys.NativeFd;
import io.sluice.core.sys.SharedMemory;
import io.sluice.core.sys.UnixSocket;
import io.sluice.session.fifo.ByteFifo;
import io.sluice.session.fifo.FifoLayout;
import io.sluice.session.testing.ChildJvm;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A FIFO shared with another process the way the stack shares one with an application: a memfd passed over a Unix
 * socket with SCM_RIGHTS and mapped on both sides. This process writes 1 GiB of pseudo-random bytes in chunks of
 * varying size; the other reads them; the CRC-32C of what it read must equal that of what was written.
 */
class CrossProcessFifoTest {

    private static final long TOTAL = 1L << 30;
    private static final int CAPACITY = 1 << 20;
    private static final int TIMEOUT_SECONDS = 120;

    @Test
    @Timeout(value = 3 * TIMEOUT_SECONDS / 2)
    void oneGibibyteCrossesToAnotherProcessIntact(@TempDir Path dir) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        long regionSize = FifoLayout.footprint(CAPACITY, 0);
        String socketPath = dir.resolve("fifo.sock").toString();
        try (UnixSocket listener = UnixSocket.open(UnixSocket.Type.SEQPACKET, true);
                NativeFd memfd = MemFd.create("sluice-test-fifo", MemFd.MFD_CLOEXEC);
                Arena arena = Arena.ofConfined()) {
            listener.bind(socketPath);
            listener.listen(1);
            MemFd.truncate(memfd, regionSize);
            try (SharedMemory mapping = SharedMemory.map(memfd, regionSize);
                    ChildJvm consumer = ChildJvm.start(FifoConsumerPeer.class, dir.resolve("consumer.log"),
                            socketPath, Integer.toString(TIMEOUT_SECONDS));
                    UnixSocket peer = Handoff.accept(listener, deadline, consumer::isAlive)) {
                ByteFifo fifo = ByteFifo.format(mapping.segment(), CAPACITY, 0);
                Handoff.sendRequest(peer, List.of(memfd), regionSize, TOTAL, 0, 0);

                // Source: 1 MiB + 64 KiB of random bytes, read at a rotating offset so chunks differ.
                int patternSize = (1 << 20) + (1 << 16);
                MemorySegment pattern = arena.allocate(patternSize, 64);
                byte[] random = new byte[patternSize];
                new Random(42).nextBytes(random);
                MemorySegment.copy(random, 0, pattern, ValueLayout.JAVA_BYTE, 0, patternSize);
                ByteBuffer patternView = pattern.asByteBuffer();

                CRC32C crc = new CRC32C();
                long sent = 0;
                int idle = 0;
                for (int round = 0; sent < TOTAL; round++) {
                    int offset = (int) ((sent * 7) % (1 << 20));
                    int length = (int) Math.min(65_536 - (round % 7) * 1237, TOTAL - sent);
                    int written = fifo.enqueue(pattern, offset, length);
                    if (written > 0) {
                        crc.update(patternView.clear().position(offset).limit(offset + written));
                        sent += written;
                        idle = 0;
                    } else if (System.nanoTime() > deadline || !consumer.isAlive()) {
                        throw new AssertionError("stuck after " + sent + " bytes\n" + consumer.logTail());
                    } else if (++idle < 1000) {
                        Thread.onSpinWait();
                    } else {
                        LockSupport.parkNanos(20_000);
                    }
                }

                assertEquals(0, consumer.awaitExit(60, TimeUnit.SECONDS), consumer.logTail());
                long[] reply = Handoff.receiveReply(peer);
                assertEquals(TOTAL, reply[0], "bytes the other process read");
                assertEquals(crc.getValue(), reply[1], "CRC-32C of the bytes read, against those written");
            }
        }
    }
}
