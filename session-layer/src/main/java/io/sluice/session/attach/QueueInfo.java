package io.sluice.session.attach;

/**
 * One message queue of an attached application as {@code show mq} prints it: a copy taken when asked.
 *
 * @param appIndex the application's number
 * @param appName its name
 * @param queue which queue: {@code stack N} (the application posts to stack worker N) or {@code worker N} (the
 *     stack posts to application worker N)
 * @param producers {@code single} or {@code multiple}
 * @param slots its slots
 * @param slotBytes bytes per slot
 * @param waiting messages posted and not yet drained
 * @param full times a producer found it full
 * @param wakeups times a producer rang its consumer's eventfd
 */
public record QueueInfo(int appIndex, String appName, String queue, String producers, int slots, int slotBytes,
        long waiting, long full, long wakeups) {
}
