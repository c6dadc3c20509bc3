/**
 * The packet engine's runtime: worker threads that each run their own instance of the packet graph
 * ({@link io.sluice.core.engine.Engine}), the device input and output nodes, hand-off of packets between workers
 * through JCTools SPSC queues of frames ({@link io.sluice.core.engine.Handoff}), placement of receive queues on
 * workers, adaptive polling (spin while busy, sleep in epoll when idle, woken through an eventfd doorbell), and
 * control tasks that run on a worker's thread.
 */
package io.sluice.core.engine;
