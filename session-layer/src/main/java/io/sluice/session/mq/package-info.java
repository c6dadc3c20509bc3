/**
 * Message queues in shared memory: fixed-size event slots, many producers and one consumer, lock-free across
 * processes, with a doorbell (eventfd) rung only when the consumer announced it sleeps. See
 * {@link io.sluice.session.mq.MessageQueue}.
 */
package io.sluice.session.mq;
