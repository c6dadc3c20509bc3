package io.sluice.session.stack;

import io.sluice.session.mq.MessageQueue;

/**
 * Where the stack posts to one application worker: its queue (several stack workers produce into it) and, per stack
 * worker, that worker's {@link Outbox} and whether it published without notifying yet. Made on the control path when
 * the worker is added; each stack worker touches only its own slots.
 */
final class AppWorkerPort {

    final StackApplication app;
    final int appWorker;
    final MessageQueue queue;
    private final Outbox[] outboxes;
    /** Per stack worker: published since its last {@link MessageQueue#notifyConsumer()}. */
    final boolean[] unnotified;

    AppWorkerPort(StackApplication app, int appWorker, MessageQueue queue, int stackWorkers) {
        this.app = app;
        this.appWorker = appWorker;
        this.queue = queue;
        this.outboxes = new Outbox[stackWorkers];
        for (int w = 0; w < stackWorkers; w++) {
            outboxes[w] = new Outbox(this);
        }
        this.unnotified = new boolean[stackWorkers];
    }

    Outbox outbox(int stackWorker) {
        return outboxes[stackWorker];
    }

    @Override
    public String toString() {
        return app + " worker " + appWorker;
    }
}
