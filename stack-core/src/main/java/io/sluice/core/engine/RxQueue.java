package io.sluice.core.engine;

/**
 * One receive queue of one interface.
 *
 * @param interfaceIndex the interface's index in the interface table
 * @param interfaceName its name
 * @param queue the device's receive queue number
 */
public record RxQueue(int interfaceIndex, String interfaceName, int queue) {
}
