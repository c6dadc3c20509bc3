package io.sluice.session.attach;

import io.sluice.core.config.VclConfigSchema;
import io.sluice.core.sys.UnixSocket;
import io.sluice.core.util.Utf8;
import io.sluice.session.cut.CutThroughDescription;
import io.sluice.session.cut.CutThroughRole;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The attach protocol's wire format, used by both ends so they cannot drift. One message is one SEQPACKET
 * datagram; integers are big-endian; a string is a 2-byte length and that many bytes of UTF-8.
 *
 * <pre>
 * header (12 bytes, the same in every version):
 *   0  magic    u32  0x534C4154 ("SLAT")
 *   4  version  u16  {@value #VERSION}
 *   6  type     u16  0x01 ATTACH, 0x02 ADD_WORKER, 0x03 DEL_WORKER, 0x04 DETACH (application to stack)
 *                    0x81 ATTACH_REPLY, 0x82 ADD_WORKER_REPLY, 0x83 DEL_WORKER_REPLY, 0x90 SEGMENT_ADD,
 *                    0x91 SEGMENT_REMOVE, 0x92 CHANNEL_ADD, 0x93 CHANNEL_REMOVE, 0xFF ERROR (stack to application)
 *   8  length   u32  bytes of the whole message, header included; must equal the datagram's size
 * bodies:
 *   ATTACH            app-name(str) namespace-id(str) namespace-secret(u64) rx-fifo-size(u64) tx-fifo-size(u64)
 *                     segment-size(u64) event-queue-size(u32) flags(u32: bit 0 scope local, bit 1 scope global)
 *   ATTACH_REPLY      status(u16) message(str); when OK also: app-index(u32) segment-count(u8) {id(u64) size(u64)}
 *                     worker fd-count(u8) fd-role(u8)...
 *   ADD_WORKER        (empty)
 *   ADD_WORKER_REPLY  status(u16) message(str); when OK also: worker fd-count(u8) fd-role(u8)...
 *   DEL_WORKER        worker-index(u32)
 *   DEL_WORKER_REPLY  status(u16) message(str) worker-index(u32)
 *   DETACH            (empty)
 *   SEGMENT_ADD       segment-id(u64) segment-size(u64) fd-count(u8) fd-role(u8)...
 *   SEGMENT_REMOVE    segment-id(u64)
 *   CHANNEL_ADD       worker-index(u32) role(u8: 0 connector, 1 accepter) description(80 bytes, little-endian:
 *                     CutThroughDescription) fd-count(u8) fd-role(u8)...
 *   CHANNEL_REMOVE    channel-id(u64) worker-index(u32)
 *   ERROR             status(u16) message(str)
 *   worker =          index(u32) segment-id(u64) queue-offset(u64) stack-queue-offset(u64)
 * </pre>
 *
 * <p><b>Version rule.</b> Both ends speak exactly one version; a message of any other version is refused with
 * {@link AttachStatus#VERSION_MISMATCH} in an ERROR. The header and the ERROR body never change between versions,
 * so whichever version the other end speaks, it can read why it was refused.
 *
 * <p><b>Strict decoding.</b> {@link #decode} checks everything before it builds a message and reports each fault
 * with its own status and a message naming the field and the values; the caller puts the message type and the
 * sender before it ({@link #describe}). Sizes are checked against the limits of
 * {@code vcl.conf} ({@link VclConfigSchema}), so a value the configuration could not give is refused on the wire
 * too. {@link #encode} checks only what the layout needs (string lengths, counts): range checks are the
 * receiver's, which is what lets tests send bad values.
 */
public final class AttachCodec {

    /** The first four bytes of every message: "SLAT". */
    public static final int MAGIC = 0x534C_4154;
    /** The protocol version this build speaks. */
    public static final int VERSION = 1;
    /** Bytes of the header. */
    public static final int HEADER_BYTES = 12;
    /** The largest message either end sends or accepts. */
    public static final int MAX_MESSAGE_BYTES = 4096;
    /** The longest application name, in bytes of UTF-8. */
    public static final int MAX_NAME_BYTES = 64;
    /** The longest namespace id (as {@code vcl { namespace-id }}). */
    public static final int MAX_NAMESPACE_BYTES = 64;
    /** The longest status message. */
    public static final int MAX_MESSAGE_TEXT_BYTES = 1024;
    /** The most segments one reply lists. */
    public static final int MAX_SEGMENTS = 16;
    /** Stack queues one ATTACH_REPLY lists: one per stack worker. */
    public static final int MAX_STACK_QUEUES = 64;
    /** The smallest event queue. */
    public static final int MIN_EVENT_QUEUE_SIZE = 16;

    /** Message type codes. */
    static final int ATTACH = 0x01;
    static final int ADD_WORKER = 0x02;
    static final int DEL_WORKER = 0x03;
    static final int DETACH = 0x04;
    static final int ATTACH_REPLY = 0x81;
    static final int ADD_WORKER_REPLY = 0x82;
    static final int DEL_WORKER_REPLY = 0x83;
    static final int SEGMENT_ADD = 0x90;
    static final int SEGMENT_REMOVE = 0x91;
    static final int CHANNEL_ADD = 0x92;
    static final int CHANNEL_REMOVE = 0x93;
    static final int ERROR = 0xFF;

    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = 4;
    static final int TYPE_OFFSET = 6;
    static final int LENGTH_OFFSET = 8;

    static final int SCOPE_LOCAL = 1;
    static final int SCOPE_GLOBAL = 2;

    private AttachCodec() {}

    /** @return the type code of a message */
    static int typeOf(AttachMessage message) {
        return switch (message) {
            case AttachMessage.Attach m -> ATTACH;
            case AttachMessage.AddWorker m -> ADD_WORKER;
            case AttachMessage.DelWorker m -> DEL_WORKER;
            case AttachMessage.Detach m -> DETACH;
            case AttachMessage.AttachReply m -> ATTACH_REPLY;
            case AttachMessage.AddWorkerReply m -> ADD_WORKER_REPLY;
            case AttachMessage.DelWorkerReply m -> DEL_WORKER_REPLY;
            case AttachMessage.SegmentAdd m -> SEGMENT_ADD;
            case AttachMessage.SegmentRemove m -> SEGMENT_REMOVE;
            case AttachMessage.ChannelAdd m -> CHANNEL_ADD;
            case AttachMessage.ChannelRemove m -> CHANNEL_REMOVE;
            case AttachMessage.Error m -> ERROR;
        };
    }

    /** @return the name of a message type, as the documentation writes it, or null for an unknown code */
    public static String typeName(int type) {
        return switch (type) {
            case ATTACH -> "ATTACH";
            case ADD_WORKER -> "ADD_WORKER";
            case DEL_WORKER -> "DEL_WORKER";
            case DETACH -> "DETACH";
            case ATTACH_REPLY -> "ATTACH_REPLY";
            case ADD_WORKER_REPLY -> "ADD_WORKER_REPLY";
            case DEL_WORKER_REPLY -> "DEL_WORKER_REPLY";
            case SEGMENT_ADD -> "SEGMENT_ADD";
            case SEGMENT_REMOVE -> "SEGMENT_REMOVE";
            case CHANNEL_ADD -> "CHANNEL_ADD";
            case CHANNEL_REMOVE -> "CHANNEL_REMOVE";
            case ERROR -> "ERROR";
            default -> null;
        };
    }

    /** @return true for the types an application sends (and the stack receives) */
    public static boolean isRequest(int type) {
        return type < 0x80;
    }

    /**
     * What a datagram says it is, for messages about it: its type's name when the header is there and the type
     * known ({@code "ATTACH"}), otherwise {@code "message"}. Never fails.
     */
    public static String describe(ByteBuffer datagram) {
        if (datagram.remaining() < HEADER_BYTES || datagram.getInt(datagram.position() + MAGIC_OFFSET) != MAGIC) {
            return "message";
        }
        String name = typeName(datagram.getShort(datagram.position() + TYPE_OFFSET) & 0xffff);
        return name == null ? "message" : name;
    }

    /**
     * Encodes a message in this build's version.
     *
     * @return the datagram
     * @throws IllegalArgumentException when a string or list is longer than its field can hold
     */
    public static byte[] encode(AttachMessage message) {
        return encode(message, VERSION);
    }

    /** Encodes with a given version in the header: tests use it to play an application of another version. */
    static byte[] encode(AttachMessage message, int version) {
        Writer out = new Writer(typeOf(message), version);
        switch (message) {
            case AttachMessage.Attach m -> {
                out.string(m.appName(), "application name");
                out.string(m.namespaceId(), "namespace id");
                out.u64(m.namespaceSecret());
                out.u64(m.rxFifoSize());
                out.u64(m.txFifoSize());
                out.u64(m.segmentSize());
                out.u32(m.eventQueueSize());
                out.u32((m.scopeLocal() ? SCOPE_LOCAL : 0) | (m.scopeGlobal() ? SCOPE_GLOBAL : 0));
            }
            case AttachMessage.AttachReply m -> {
                out.status(m.status(), m.message());
                if (m.status() == AttachStatus.OK) {
                    out.u32(m.appIndex());
                    out.count(m.segments().size(), MAX_SEGMENTS, "segments");
                    for (AttachMessage.Segment segment : m.segments()) {
                        out.u64(segment.id());
                        out.u64(segment.size());
                    }
                    out.count(m.stackQueueOffsets().size(), MAX_STACK_QUEUES, "stack queues");
                    for (long offset : m.stackQueueOffsets()) {
                        out.u64(offset);
                    }
                    out.worker(m.worker());
                    out.roles(m.fds());
                }
            }
            case AttachMessage.AddWorker m -> { }
            case AttachMessage.AddWorkerReply m -> {
                out.status(m.status(), m.message());
                if (m.status() == AttachStatus.OK) {
                    out.worker(m.worker());
                    out.roles(m.fds());
                }
            }
            case AttachMessage.DelWorker m -> out.u32(m.workerIndex());
            case AttachMessage.DelWorkerReply m -> {
                out.status(m.status(), m.message());
                out.u32(m.workerIndex());
            }
            case AttachMessage.SegmentAdd m -> {
                out.u64(m.segment().id());
                out.u64(m.segment().size());
                out.roles(m.fds());
            }
            case AttachMessage.SegmentRemove m -> out.u64(m.segmentId());
            case AttachMessage.ChannelAdd m -> {
                out.u32(m.workerIndex());
                out.u8(m.role().ordinal());
                out.description(m.description());
                out.roles(m.fds());
            }
            case AttachMessage.ChannelRemove m -> {
                out.u64(m.channelId());
                out.u32(m.workerIndex());
            }
            case AttachMessage.Detach m -> { }
            case AttachMessage.Error m -> out.status(m.status(), m.message());
        }
        return out.finish();
    }

    /**
     * Decodes one datagram.
     *
     * @param datagram the bytes received, from its position to its limit (the position is not moved)
     * @param self who is reading, for the version message ({@code "this stack"}, {@code "this application"})
     * @return the message
     * @throws AttachException with the status that names the fault and a message that says exactly what is wrong
     */
    public static AttachMessage decode(ByteBuffer datagram, String self) throws AttachException {
        ByteBuffer buffer = datagram.slice();
        int size = buffer.remaining();
        if (size > MAX_MESSAGE_BYTES) {
            throw new AttachException(AttachStatus.TOO_LONG, "message of " + size
                    + " bytes is longer than the protocol's limit of " + MAX_MESSAGE_BYTES);
        }
        if (size < HEADER_BYTES) {
            throw new AttachException(AttachStatus.TRUNCATED, "message of " + size
                    + " bytes is shorter than the " + HEADER_BYTES + "-byte header");
        }
        int magic = buffer.getInt(MAGIC_OFFSET);
        if (magic != MAGIC) {
            throw new AttachException(AttachStatus.BAD_MAGIC, String.format(
                    "not an attach-protocol message: it starts 0x%08x, not the magic 0x%08x (\"SLAT\")", magic, MAGIC));
        }
        int version = buffer.getShort(VERSION_OFFSET) & 0xffff;
        if (version != VERSION) {
            throw new AttachException(AttachStatus.VERSION_MISMATCH, "protocol version " + version + ", " + self
                    + " speaks " + VERSION);
        }
        long length = buffer.getInt(LENGTH_OFFSET) & 0xffff_ffffL;
        if (length != size) {
            throw new AttachException(AttachStatus.LENGTH_MISMATCH, "the header's length is " + length
                    + " bytes but the datagram has " + size);
        }
        int type = buffer.getShort(TYPE_OFFSET) & 0xffff;
        String name = typeName(type);
        if (name == null) {
            throw new AttachException(AttachStatus.UNKNOWN_TYPE, String.format(
                    "unknown message type 0x%02x in protocol version %d", type, VERSION));
        }
        Reader in = new Reader(buffer.position(HEADER_BYTES));
        AttachMessage message = switch (type) {
            case ATTACH -> attach(in);
            case ADD_WORKER -> new AttachMessage.AddWorker();
            case DEL_WORKER -> new AttachMessage.DelWorker(in.index("worker index"));
            case DETACH -> new AttachMessage.Detach();
            case ATTACH_REPLY -> attachReply(in);
            case ADD_WORKER_REPLY -> {
                AttachStatus status = in.status();
                String text = in.string("message", 0, MAX_MESSAGE_TEXT_BYTES);
                yield status != AttachStatus.OK ? AttachMessage.AddWorkerReply.refused(status, text)
                        : new AttachMessage.AddWorkerReply(status, text, in.worker(), in.roles());
            }
            case DEL_WORKER_REPLY -> new AttachMessage.DelWorkerReply(in.status(),
                    in.string("message", 0, MAX_MESSAGE_TEXT_BYTES), in.index("worker index"));
            case SEGMENT_ADD -> new AttachMessage.SegmentAdd(in.segment(), in.roles());
            case SEGMENT_REMOVE -> new AttachMessage.SegmentRemove(in.u64("segment id"));
            case CHANNEL_ADD -> new AttachMessage.ChannelAdd(in.index("worker index"), in.role(), in.description(),
                    in.roles());
            case CHANNEL_REMOVE -> new AttachMessage.ChannelRemove(in.u64("channel id"), in.index("worker index"));
            case ERROR -> new AttachMessage.Error(in.status(), in.string("message", 0, MAX_MESSAGE_TEXT_BYTES));
            default -> throw new AssertionError(name);
        };
        in.end();
        return message;
    }

    private static AttachMessage.Attach attach(Reader in) throws AttachException {
        String appName = in.string("application name", 1, MAX_NAME_BYTES);
        String namespace = in.string("namespace id", 0, MAX_NAMESPACE_BYTES);
        long secret = in.u64("namespace secret");
        long rx = in.range("rx-fifo-size", in.u64("rx-fifo-size"), VclConfigSchema.MIN_FIFO_SIZE,
                VclConfigSchema.MAX_FIFO_SIZE);
        long tx = in.range("tx-fifo-size", in.u64("tx-fifo-size"), VclConfigSchema.MIN_FIFO_SIZE,
                VclConfigSchema.MAX_FIFO_SIZE);
        long segment = in.range("segment-size", in.u64("segment-size"), VclConfigSchema.MIN_SEGMENT_SIZE,
                VclConfigSchema.MAX_SEGMENT_SIZE);
        int queue = (int) in.range("event-queue-size", in.u32("event-queue-size"), MIN_EVENT_QUEUE_SIZE,
                VclConfigSchema.MAX_EVENT_QUEUE_SIZE);
        long flags = in.u32("flags");
        if ((flags & ~(long) (SCOPE_LOCAL | SCOPE_GLOBAL)) != 0) {
            throw new AttachException(AttachStatus.BAD_FLAGS, String.format(
                    "flags 0x%x have unknown bits 0x%x (bit 0 is scope local, bit 1 scope global)", flags,
                    flags & ~(long) (SCOPE_LOCAL | SCOPE_GLOBAL)));
        }
        if (flags == 0) {
            throw new AttachException(AttachStatus.BAD_FLAGS,
                    "no scope asked for: set local (cut-through), global (through TCP) or both");
        }
        return new AttachMessage.Attach(appName, namespace, secret, rx, tx, segment, queue,
                (flags & SCOPE_LOCAL) != 0, (flags & SCOPE_GLOBAL) != 0);
    }

    private static AttachMessage.AttachReply attachReply(Reader in) throws AttachException {
        AttachStatus status = in.status();
        String text = in.string("message", 0, MAX_MESSAGE_TEXT_BYTES);
        if (status != AttachStatus.OK) {
            return AttachMessage.AttachReply.refused(status, text);
        }
        int appIndex = in.index("application index");
        int count = in.count("segment count", MAX_SEGMENTS);
        List<AttachMessage.Segment> segments = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            segments.add(in.segment());
        }
        int queues = in.count("stack queue count", MAX_STACK_QUEUES);
        if (queues == 0) {
            throw new AttachException(AttachStatus.OUT_OF_RANGE, "ATTACH_REPLY lists no stack queue");
        }
        List<Long> stackQueues = new ArrayList<>(queues);
        for (int i = 0; i < queues; i++) {
            stackQueues.add(in.u64("stack queue " + i + " offset"));
        }
        return new AttachMessage.AttachReply(status, text, appIndex, segments, stackQueues, in.worker(),
                in.roles());
    }

    /** A message being written: the header first, its length filled in at the end. */
    private static final class Writer {

        private final ByteBuffer buffer = ByteBuffer.allocate(MAX_MESSAGE_BYTES);
        private final String name;

        Writer(int type, int version) {
            this.name = typeName(type);
            buffer.putInt(MAGIC).putShort((short) version).putShort((short) type).putInt(0);
        }

        void u32(long value) {
            put(() -> buffer.putInt((int) value));
        }

        void u64(long value) {
            put(() -> buffer.putLong(value));
        }

        void string(String value, String what) {
            byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
            if (utf8.length > 0xffff) {
                throw new IllegalArgumentException(name + ": " + what + " of " + utf8.length
                        + " bytes does not fit a 2-byte length");
            }
            put(() -> buffer.putShort((short) utf8.length).put(utf8));
        }

        void status(AttachStatus status, String message) {
            put(() -> buffer.putShort((short) status.code()));
            string(message, "message");
        }

        void count(int count, int max, String what) {
            if (count > max) {
                throw new IllegalArgumentException(name + ": " + count + " " + what + ", more than the " + max
                        + " one message carries");
            }
            put(() -> buffer.put((byte) count));
        }

        void worker(AttachMessage.Worker worker) {
            u32(worker.index());
            u64(worker.segmentId());
            u64(worker.queueOffset());
        }

        void u8(int value) {
            put(() -> buffer.put((byte) value));
        }

        void description(CutThroughDescription description) {
            put(() -> description.encode(buffer));
        }

        void roles(List<FdRole> roles) {
            count(roles.size(), UnixSocket.MAX_FDS, "descriptors");
            for (FdRole role : roles) {
                put(() -> buffer.put((byte) role.code()));
            }
        }

        byte[] finish() {
            buffer.putInt(LENGTH_OFFSET, buffer.position());
            byte[] bytes = new byte[buffer.position()];
            buffer.get(0, bytes);
            return bytes;
        }

        private void put(Runnable write) {
            try {
                write.run();
            } catch (BufferOverflowException e) {
                throw new IllegalArgumentException(name + " is longer than the protocol's limit of "
                        + MAX_MESSAGE_BYTES + " bytes");
            }
        }
    }

    /** A datagram's body being read; every read checks that the bytes are there. */
    private static final class Reader {

        private final ByteBuffer buffer;

        Reader(ByteBuffer buffer) {
            this.buffer = buffer;
        }

        int u8(String what) throws AttachException {
            need(1, what);
            return buffer.get() & 0xff;
        }

        int u16(String what) throws AttachException {
            need(2, what);
            return buffer.getShort() & 0xffff;
        }

        long u32(String what) throws AttachException {
            need(4, what);
            return buffer.getInt() & 0xffff_ffffL;
        }

        long u64(String what) throws AttachException {
            need(8, what);
            return buffer.getLong();
        }

        CutThroughRole role() throws AttachException {
            int code = u8("channel role");
            if (code >= CutThroughRole.values().length) {
                throw new AttachException(AttachStatus.OUT_OF_RANGE, "channel role " + code + " is neither 0"
                        + " (connector) nor 1 (accepter)");
            }
            return CutThroughRole.values()[code];
        }

        CutThroughDescription description() throws AttachException {
            need(CutThroughDescription.ENCODED_BYTES, "cut-through channel description");
            try {
                return CutThroughDescription.decode(buffer);
            } catch (IllegalArgumentException e) {
                throw new AttachException(AttachStatus.OUT_OF_RANGE, e.getMessage());
            }
        }

        /** An unsigned 32-bit index that must fit an int. */
        int index(String what) throws AttachException {
            return (int) range(what, u32(what), 0, Integer.MAX_VALUE);
        }

        int count(String what, int max) throws AttachException {
            return (int) range(what, u8(what), 0, max);
        }

        long range(String what, long value, long min, long max) throws AttachException {
            if (value < min || value > max) {
                throw new AttachException(AttachStatus.OUT_OF_RANGE, what + " " + Long.toUnsignedString(value)
                        + " is outside the limits " + min + " to " + max);
            }
            return value;
        }

        String string(String what, int minBytes, int maxBytes) throws AttachException {
            int length = u16(what + " length");
            if (length < minBytes || length > maxBytes) {
                throw new AttachException(AttachStatus.BAD_STRING_LENGTH, what + " is " + length
                        + " bytes; it must be " + minBytes + " to " + maxBytes);
            }
            need(length, what);
            try {
                return Utf8.decode(buffer, length);
            } catch (CharacterCodingException e) {
                throw new AttachException(AttachStatus.BAD_UTF8, what + " is not valid UTF-8");
            }
        }

        AttachStatus status() throws AttachException {
            int code = u16("status");
            AttachStatus status = AttachStatus.ofCode(code);
            if (status == null) {
                throw new AttachException(AttachStatus.OUT_OF_RANGE, "unknown status code " + code);
            }
            return status;
        }

        AttachMessage.Segment segment() throws AttachException {
            return new AttachMessage.Segment(u64("segment id"), u64("segment size"));
        }

        AttachMessage.Worker worker() throws AttachException {
            return new AttachMessage.Worker(index("worker index"), u64("worker segment id"),
                    u64("worker queue offset"));
        }

        List<FdRole> roles() throws AttachException {
            int count = count("descriptor count", UnixSocket.MAX_FDS);
            List<FdRole> roles = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                int code = u8("descriptor " + i + " role");
                FdRole role = FdRole.ofCode(code);
                if (role == null) {
                    throw new AttachException(AttachStatus.OUT_OF_RANGE, "descriptor " + i + " has unknown role "
                            + code);
                }
                roles.add(role);
            }
            return roles;
        }

        void end() throws AttachException {
            if (buffer.hasRemaining()) {
                throw new AttachException(AttachStatus.TRAILING_BYTES, buffer.remaining()
                        + " bytes after the last field (at byte " + buffer.position() + ")");
            }
        }

        private void need(int count, String what) throws AttachException {
            if (buffer.remaining() < count) {
                throw new AttachException(AttachStatus.TRUNCATED, "ends early at byte " + buffer.position() + ": "
                        + what + " needs " + count + " bytes, " + buffer.remaining() + " left");
            }
        }
    }
}
