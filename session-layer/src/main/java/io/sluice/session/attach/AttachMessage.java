package io.sluice.session.attach;

import io.sluice.core.config.VclConfig;
import io.sluice.session.cut.CutThroughDescription;
import io.sluice.session.cut.CutThroughRole;
import java.util.List;
import java.util.Objects;

/**
 * The messages of the attach protocol, as values. {@link AttachCodec} turns them into datagrams and back; its
 * class comment and {@code docs/attach-protocol.md} give the layout. Requests go from the application to the
 * stack ({@link Attach}, {@link AddWorker}, {@link DelWorker}, {@link Detach}); replies and notifications go
 * back ({@link AttachReply}, {@link AddWorkerReply}, {@link DelWorkerReply}, {@link SegmentAdd},
 * {@link SegmentRemove}, {@link ChannelAdd}, {@link ChannelRemove}, {@link Error}).
 */
public sealed interface AttachMessage {

    /** A shared-memory segment: the stack's id for it and its size in bytes. */
    record Segment(long id, long size) {
    }

    /**
     * An application worker's place in shared memory.
     *
     * @param index the worker's number within its application
     * @param segmentId the segment holding both queues
     * @param queueOffset where the worker's own message queue (stack to worker) starts in that segment
     */
    record Worker(int index, long segmentId, long queueOffset) {
    }

    /**
     * ATTACH: an application asks to use the stack. The protocol version travels in the header.
     *
     * @param appName the application's name, for the stack's tables and messages
     * @param namespaceId the application namespace, {@code ""} for the default one
     * @param namespaceSecret the namespace's secret (ignored for the default namespace)
     * @param rxFifoSize bytes of each session's receive FIFO
     * @param txFifoSize bytes of each session's transmit FIFO
     * @param segmentSize bytes of the application's first segment
     * @param eventQueueSize slots of each worker's message queue (rounded up to a power of two)
     * @param scopeLocal sessions with other applications on this stack may be cut through shared memory
     * @param scopeGlobal sessions may go through the network stack
     */
    record Attach(String appName, String namespaceId, long namespaceSecret, long rxFifoSize, long txFifoSize,
            long segmentSize, int eventQueueSize, boolean scopeLocal, boolean scopeGlobal) implements AttachMessage {
        public Attach {
            Objects.requireNonNull(appName, "appName");
            Objects.requireNonNull(namespaceId, "namespaceId");
        }

        /**
         * The ATTACH an application's {@code vcl.conf} asks for. With neither {@code app-scope-local} nor
         * {@code app-scope-global} given, both scopes are asked for: an application that says nothing may talk to
         * anyone.
         */
        public static Attach of(String appName, VclConfig vcl) {
            boolean neither = !vcl.appScopeLocal() && !vcl.appScopeGlobal();
            return new Attach(appName, vcl.namespaceId().orElse(""), vcl.namespaceSecret(), vcl.rxFifoSize(),
                    vcl.txFifoSize(), vcl.segmentSize(), vcl.eventQueueSize(), neither || vcl.appScopeLocal(),
                    neither || vcl.appScopeGlobal());
        }
    }

    /**
     * ATTACH_REPLY. When {@code status} is OK it is followed by descriptors in the order of {@code fds}: the
     * segment's memfd, one eventfd per stack queue and the first worker's eventfd. A refusal carries only the
     * status and the message; its other fields are empty.
     *
     * @param appIndex the stack's number for the application
     * @param segments the segments mapped so far (one, the first)
     * @param stackQueueOffsets where, in the first segment, the queue of each stack worker starts: the application
     *     posts a session's requests to the queue of the stack worker that owns the session
     * @param worker worker 0, whose queue is in the first segment; null when refused
     * @param fds the roles of the descriptors that come with this reply
     */
    record AttachReply(AttachStatus status, String message, int appIndex, List<Segment> segments,
            List<Long> stackQueueOffsets, Worker worker, List<FdRole> fds) implements AttachMessage {
        public AttachReply {
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(message, "message");
            segments = List.copyOf(segments);
            stackQueueOffsets = List.copyOf(stackQueueOffsets);
            fds = List.copyOf(fds);
            if (status == AttachStatus.OK) {
                Objects.requireNonNull(worker, "worker");
            }
        }

        /** A refusal: a status and a message, nothing else. */
        public static AttachReply refused(AttachStatus status, String message) {
            if (status == AttachStatus.OK) {
                throw new IllegalArgumentException("a refusal needs a failure status, not OK");
            }
            return new AttachReply(status, message, -1, List.of(), List.of(), null, List.of());
        }
    }

    /** ADD_WORKER: the application asks for one more worker (a message queue and its eventfd). */
    record AddWorker() implements AttachMessage {
    }

    /**
     * ADD_WORKER_REPLY: the new worker, followed when OK by its queue's eventfd.
     *
     * @param worker null when refused
     * @param fds the roles of the descriptors that come with this reply
     */
    record AddWorkerReply(AttachStatus status, String message, Worker worker, List<FdRole> fds)
            implements AttachMessage {
        public AddWorkerReply {
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(message, "message");
            fds = List.copyOf(fds);
            if (status == AttachStatus.OK) {
                Objects.requireNonNull(worker, "worker");
            }
        }

        /** A refusal: a status and a message, nothing else. */
        public static AddWorkerReply refused(AttachStatus status, String message) {
            if (status == AttachStatus.OK) {
                throw new IllegalArgumentException("a refusal needs a failure status, not OK");
            }
            return new AddWorkerReply(status, message, null, List.of());
        }
    }

    /** DEL_WORKER: the application gives a worker back; its queue and eventfd are freed. */
    record DelWorker(int workerIndex) implements AttachMessage {
    }

    /** DEL_WORKER_REPLY: whether the worker was removed. */
    record DelWorkerReply(AttachStatus status, String message, int workerIndex) implements AttachMessage {
        public DelWorkerReply {
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(message, "message");
        }
    }

    /** SEGMENT_ADD: the stack made a new segment for the application; its memfd follows. */
    record SegmentAdd(Segment segment, List<FdRole> fds) implements AttachMessage {
        public SegmentAdd {
            Objects.requireNonNull(segment, "segment");
            fds = List.copyOf(fds);
        }
    }

    /** SEGMENT_REMOVE: the stack no longer uses a segment; the application unmaps it. */
    record SegmentRemove(long segmentId) implements AttachMessage {
    }

    /**
     * CHANNEL_ADD: the stack made a cut-through channel between one of this application's workers and a worker of
     * another application; the channel's memfd, its FIFO segment's memfd and the peer worker's eventfd follow, in
     * the order of {@link CutThroughDescription#FD_ROLES}.
     *
     * @param workerIndex this application's worker the channel belongs to (it drains the channel's queue)
     * @param role which side of the channel that worker is on
     * @param description where everything is in the two segments
     * @param fds the roles of the descriptors that come with it
     */
    record ChannelAdd(int workerIndex, CutThroughRole role, CutThroughDescription description, List<FdRole> fds)
            implements AttachMessage {
        public ChannelAdd {
            Objects.requireNonNull(role, "role");
            Objects.requireNonNull(description, "description");
            fds = List.copyOf(fds);
        }
    }

    /** CHANNEL_REMOVE: the stack no longer uses a cut-through channel of one of this application's workers. */
    record ChannelRemove(long channelId, int workerIndex) implements AttachMessage {
    }

    /** DETACH: the application leaves; the stack frees everything it holds and closes the connection. */
    record Detach() implements AttachMessage {
    }

    /** ERROR: a message the receiver could not take (malformed, wrong version, unknown type, out of place). */
    record Error(AttachStatus status, String message) implements AttachMessage {
        public Error {
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(message, "message");
        }
    }
}
