package io.sluice.session.attach;

/**
 * What a descriptor that travels with a message (SCM_RIGHTS) is. A message that carries descriptors lists their
 * roles in its body, in the order the descriptors arrive, so the receiver never guesses from positions. Codes are
 * part of the wire format.
 */
public enum FdRole {
    /** A memfd to map: a shared-memory segment holding FIFOs and message queues. */
    SEGMENT_MEMFD(1),
    /** The eventfd of an application worker's message queue: the stack writes it to wake a sleeping worker. */
    WORKER_QUEUE_EVENTFD(2),
    /** The eventfd of the stack-side queue the application posts to: the application writes it to wake the stack. */
    STACK_QUEUE_EVENTFD(3),
    /** A cut-through channel's segment memfd: its header and the two queues between two application workers. */
    CUT_THROUGH_SEGMENT_MEMFD(4),
    /** A cut-through channel's FIFO segment memfd: the FIFO pairs of the channel's sessions. */
    CUT_THROUGH_FIFO_MEMFD(5),
    /** The eventfd of the peer application's worker in a cut-through channel: written to wake that worker. */
    PEER_WORKER_EVENTFD(6);

    private final int code;

    FdRole(int code) {
        this.code = code;
    }

    /** @return the code on the wire */
    public int code() {
        return code;
    }

    /** @return the role with this code, or null */
    public static FdRole ofCode(int code) {
        for (FdRole role : values()) {
            if (role.code == code) {
                return role;
            }
        }
        return null;
    }
}
