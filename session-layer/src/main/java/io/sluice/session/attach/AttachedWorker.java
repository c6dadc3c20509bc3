package io.sluice.session.attach;

import io.sluice.session.mq.EventFdDoorbell;
import io.sluice.session.mq.MessageQueue;

/**
 * An application worker as the application sees it after ATTACH or ADD_WORKER: its message queue (the stack
 * posts, the worker drains) in the mapped segment, and the doorbell it sleeps on ({@code doorbell.sleep(queue,
 * timeout)}), whose eventfd the stack writes.
 *
 * @param index the worker's number, for DEL_WORKER
 * @param queue the worker's queue, a view of the application's mapping
 * @param doorbell the worker queue's eventfd, owned by the {@link AttachClient}
 */
public record AttachedWorker(int index, MessageQueue queue, EventFdDoorbell doorbell) {
}
