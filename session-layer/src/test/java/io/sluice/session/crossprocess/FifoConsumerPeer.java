package io.sluice.session.crossprocess;

import io.sluice.core.sys.SharedMemory;
import io.sluice.core.sys.UnixSocket;
import io.sluice.session.fifo.ByteFifo;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.CRC32C;

/**
 * Peer process for {@link CrossProcessFifoTest}: receives the FIFO's memfd over the Unix socket, maps it, reads
 * the announced number of bytes out of the FIFO and replies with the count and the CRC-32C of what it read.
 *
 * <p>Arguments: socket path, timeout in seconds.
 */
public final class FifoConsumerPeer {

    private FifoConsumerPeer() {}

    public static void main(String[] args) throws Exception {
        long deadline = System.nanoTime() + Long.parseLong(args[1]) * 1_000_000_000L;
        try (UnixSocket socket = UnixSocket.open(UnixSocket.Type.SEQPACKET, false)) {
            socket.connect(args[0]);
            Handoff.Request request = Handoff.receiveRequest(socket);
            long regionSize = request.values()[0];
            long total = request.values()[1];
            try (SharedMemory mapping = SharedMemory.map(request.fds().get(0), regionSize);
                    Arena arena = Arena.ofConfined()) {
                request.fds().get(0).close(); // the mapping keeps the memory; the descriptor is no longer needed
                ByteFifo fifo = ByteFifo.attach(mapping.segment());
                MemorySegment chunk = arena.allocate(64 * 1024, 64);
                ByteBuffer chunkView = chunk.asByteBuffer();
                CRC32C crc = new CRC32C();
                long received = 0;
                int idle = 0;
                while (received < total) {
                    int n = fifo.dequeue(chunk, 0, (int) Math.min(chunk.byteSize(), total - received));
                    if (n > 0) {
                        crc.update(chunkView.clear().limit(n));
                        received += n;
                        idle = 0;
                    } else if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("timed out after " + received + " of " + total + " bytes");
                    } else if (++idle < 1000) {
                        Thread.onSpinWait();
                    } else {
                        LockSupport.parkNanos(20_000);
                    }
                }
                Handoff.sendReply(socket, received, crc.getValue());
            }
        }
        System.out.println("consumer done");
    }
}
