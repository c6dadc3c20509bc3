/**
 * Devices: where frames enter and leave the stack ({@link io.sluice.core.phy.Device}). Each device has numbered
 * receive and transmit queues served by worker threads, and moves frames as buffer indices of the worker's pool.
 */
package io.sluice.core.phy;
