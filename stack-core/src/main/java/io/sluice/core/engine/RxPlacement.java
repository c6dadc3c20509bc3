package io.sluice.core.engine;

/**
 * Which worker polls a receive queue ({@code show interface rx-placement}).
 *
 * @param queue the interface and queue
 * @param worker the worker index
 */
public record RxPlacement(RxQueue queue, int worker) {
}
