package io.sluice.session.attach;

/**
 * One shared-memory segment of an attached application as {@code show segment} prints it: a copy taken when asked.
 *
 * @param appIndex the application's number
 * @param appName its name
 * @param segmentId the segment's id, as the application knows it
 * @param kind {@code queues} (the first segment: stack and worker queues) or {@code fifos} (FIFO pairs)
 * @param bytes its size
 * @param slots queue blocks or FIFO pair slots it holds
 * @param inUse those in use
 */
public record SegmentInfo(int appIndex, String appName, long segmentId, String kind, long bytes, int slots,
        int inUse) {
}
