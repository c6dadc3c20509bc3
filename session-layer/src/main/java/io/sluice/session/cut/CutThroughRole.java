package io.sluice.session.cut;

/** Which side of a cut-through channel an application worker is on. */
public enum CutThroughRole {

    /** The application that connected: it writes the pairs' tx FIFOs and posts to the accepter's queue. */
    CONNECTOR,

    /** The application whose listener accepted: it writes the pairs' rx FIFOs and posts to the connector's queue. */
    ACCEPTER;

    /** The other side. */
    public CutThroughRole peer() {
        return this == CONNECTOR ? ACCEPTER : CONNECTOR;
    }
}
