package io.sluice.session.cut;

import io.sluice.core.sys.EventFd;
import io.sluice.core.sys.SyscallException;
import io.sluice.session.mq.EventFdDoorbell;
import io.sluice.session.segment.SegmentFiles;

/**
 * A channel as the stack makes it plus both applications' ends, in one process: each end maps the memfds itself (a
 * second and third mapping, as two processes would) and gets a duplicate of the other worker's eventfd, as
 * SCM_RIGHTS would give it. Each worker sleeps on its own eventfd through {@link #connectorWakeup} or
 * {@link #accepterWakeup}.
 */
final class ChannelFixture implements AutoCloseable {

    static final ChannelEnd CONNECTOR_APP = new ChannelEnd(1, "client-app", 0);
    static final ChannelEnd ACCEPTER_APP = new ChannelEnd(2, "server-app", 3);

    final CutThroughChannel channel;
    /** The connector worker's own eventfd, as a doorbell it waits on. */
    final EventFdDoorbell connectorWakeup;
    /** The accepter worker's own eventfd, as a doorbell it waits on. */
    final EventFdDoorbell accepterWakeup;
    final CutThroughEnd connector;
    final CutThroughEnd accepter;

    private ChannelFixture(CutThroughChannel channel, EventFdDoorbell connectorWakeup, EventFdDoorbell accepterWakeup,
            CutThroughEnd connector, CutThroughEnd accepter) {
        this.channel = channel;
        this.connectorWakeup = connectorWakeup;
        this.accepterWakeup = accepterWakeup;
        this.connector = connector;
        this.accepter = accepter;
    }

    static ChannelFixture open(long channelId, int sessionSlots, int fifoBytes) throws SyscallException {
        CutThroughChannel channel = CutThroughChannel.create(channelId, 100 + channelId, 200 + channelId,
                CONNECTOR_APP, ACCEPTER_APP, sessionSlots, fifoBytes, fifoBytes);
        EventFdDoorbell connectorWakeup = null;
        EventFdDoorbell accepterWakeup = null;
        CutThroughEnd connector = null;
        try {
            connectorWakeup = new EventFdDoorbell(EventFd.create(0, EventFd.EFD_CLOEXEC));
            accepterWakeup = new EventFdDoorbell(EventFd.create(0, EventFd.EFD_CLOEXEC));
            connector = openEnd(channel, CutThroughRole.CONNECTOR, accepterWakeup);
            CutThroughEnd accepter = openEnd(channel, CutThroughRole.ACCEPTER, connectorWakeup);
            return new ChannelFixture(channel, connectorWakeup, accepterWakeup, connector, accepter);
        } catch (SyscallException | RuntimeException e) {
            SegmentFiles.closeQuietly(connector);
            SegmentFiles.closeQuietly(connectorWakeup);
            SegmentFiles.closeQuietly(accepterWakeup);
            channel.close();
            throw e;
        }
    }

    /** An end of {@code channel} with its own mappings, ringing a duplicate of {@code peerWakeup}'s eventfd. */
    static CutThroughEnd openEnd(CutThroughChannel channel, CutThroughRole role, EventFdDoorbell peerWakeup)
            throws SyscallException {
        return openEnd(channel, channel.description(), role, peerWakeup);
    }

    /** As above with a description of the test's choosing (possibly a lying one). */
    static CutThroughEnd openEnd(CutThroughChannel channel, CutThroughDescription description, CutThroughRole role,
            EventFdDoorbell peerWakeup) throws SyscallException {
        EventFd peer = EventFd.adopt(peerWakeup.eventFd().fd().duplicate());
        try {
            return CutThroughEnd.open(description, role, channel.channelMemfd(), channel.fifoMemfd(), peer);
        } catch (SyscallException | RuntimeException e) {
            peer.close();
            throw e;
        }
    }

    @Override
    public void close() {
        SegmentFiles.closeQuietly(connector);
        SegmentFiles.closeQuietly(accepter);
        SegmentFiles.closeQuietly(connectorWakeup);
        SegmentFiles.closeQuietly(accepterWakeup);
        channel.close();
    }
}
