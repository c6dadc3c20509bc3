package io.sluice.session.attach;

/**
 * The status codes of the attach protocol: {@link #OK}, or why a message was refused. Each malformed-message case
 * has its own code so that an application (and its logs) can tell a version mismatch from a truncated message
 * without parsing the text. Codes are part of the wire format: never renumber, only add.
 */
public enum AttachStatus {
    /** Accepted. */
    OK(0),
    /** The datagram does not start with the protocol's magic: not an attach-protocol message at all. */
    BAD_MAGIC(1),
    /** The header's protocol version is not the one this end speaks. */
    VERSION_MISMATCH(2),
    /** The header's message type is not one this version knows. */
    UNKNOWN_TYPE(3),
    /** The datagram ends before the header or a field does. */
    TRUNCATED(4),
    /** The header's length field disagrees with the size of the datagram. */
    LENGTH_MISMATCH(5),
    /** Bytes are left after the message's last field. */
    TRAILING_BYTES(6),
    /** A string is not well-formed UTF-8. */
    BAD_UTF8(7),
    /** A string is longer than its field allows, or empty where it must not be. */
    BAD_STRING_LENGTH(8),
    /** A size or count is outside the protocol's limits. */
    OUT_OF_RANGE(9),
    /** Flags have unknown bits set, or no scope is asked for. */
    BAD_FLAGS(10),
    /** The datagram is larger than the protocol's largest message. */
    TOO_LONG(11),
    /** Descriptors came with a message that carries none (or more than this end accepts); they were closed. */
    UNEXPECTED_FDS(12),
    /** A message only the other end sends (a reply sent to the stack, a request sent to the application). */
    UNEXPECTED_MESSAGE(13),
    /** The namespace named in ATTACH does not exist. */
    UNKNOWN_NAMESPACE(14),
    /** The namespace exists but the secret is wrong. */
    BAD_SECRET(15),
    /** ADD_WORKER or DEL_WORKER before a successful ATTACH on this connection. */
    NOT_ATTACHED(16),
    /** A second ATTACH on a connection that is attached already. */
    ALREADY_ATTACHED(17),
    /** DEL_WORKER for a worker the application does not have. */
    UNKNOWN_WORKER(18),
    /** The segment has no room for what was asked (another worker's queue, or the first queues). */
    NO_SPACE(19),
    /** The stack failed for a reason of its own (a system call failed); the message says which. */
    INTERNAL(20);

    private static final AttachStatus[] BY_CODE = new AttachStatus[values().length];

    static {
        for (AttachStatus status : values()) {
            BY_CODE[status.code] = status;
        }
    }

    private final int code;

    AttachStatus(int code) {
        this.code = code;
    }

    /** @return the code on the wire */
    public int code() {
        return code;
    }

    /** @return the status with this wire code, or null if this version knows none */
    public static AttachStatus ofCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
