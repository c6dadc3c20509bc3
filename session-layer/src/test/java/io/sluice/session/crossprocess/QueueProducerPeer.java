package io.sluice.session.crossprocess;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.sluice.core.sys.EventFd;
import io.sluice.core.sys.SharedMemory;
import io.sluice.core.sys.UnixSocket;
import io.sluice.session.mq.EventFdDoorbell;
import io.sluice.session.mq.MessageQueue;

/**
 * Peer process for {@link CrossProcessQueueTest}: receives the queue's memfd and the consumer's eventfd, then posts
 * the announced number of events {@code (producer id, sequence number)}, ringing the eventfd when the consumer
 * sleeps. It pauses now and then so the consumer runs dry and really sleeps. Replies with the count posted and the
 * number of times it found the queue full.
 *
 * <p>Arguments: socket path, timeout in seconds.
 */
public final class QueueProducerPeer {

    /** Events between pauses that let the consumer run dry and go to sleep. */
    static final int PAUSE_EVERY = 25_000;

    private QueueProducerPeer() {}

    public static void main(String[] args) throws Exception {
        long deadline = System.nanoTime() + Long.parseLong(args[1]) * 1_000_000_000L;
        try (UnixSocket socket = UnixSocket.open(UnixSocket.Type.SEQPACKET, false)) {
            socket.connect(args[0]);
            Handoff.Request request = Handoff.receiveRequest(socket);
            long regionSize = request.values()[0];
            long count = request.values()[1];
            long id = request.values()[2];
            try (SharedMemory mapping = SharedMemory.map(request.fds().get(0), regionSize);
                    EventFdDoorbell doorbell = new EventFdDoorbell(EventFd.adopt(request.fds().get(1)))) {
                request.fds().get(0).close();
                MessageQueue queue = MessageQueue.attach(mapping.segment(), doorbell);
                long fullSeen = 0;
                for (long seq = 0; seq < count; ) {
                    long position = queue.tryClaim();
                    if (position == MessageQueue.FULL) {
                        fullSeen++;
                        if (System.nanoTime() > deadline) {
                            throw new IllegalStateException("timed out at event " + seq + " of " + count);
                        }
                        Thread.onSpinWait();
                        continue;
                    }
                    long payload = queue.payloadOffset(position);
                    queue.memory().set(JAVA_LONG, payload, id);
                    queue.memory().set(JAVA_LONG, payload + 8, seq);
                    queue.commit(position);
                    seq++;
                    if (seq % PAUSE_EVERY == 0) {
                        Thread.sleep(2);
                    }
                }
                Handoff.sendReply(socket, count, fullSeen);
            }
        }
        System.out.println("producer done");
    }
}
