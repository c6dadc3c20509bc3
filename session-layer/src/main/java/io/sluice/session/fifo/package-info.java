/**
 * The shared-memory byte FIFO through which a session's bytes pass between the stack and an application: single
 * producer, single consumer, positions published with release stores and read with acquire loads, out-of-order
 * data written in place for TCP, peek-and-drop for retransmission. See {@link io.sluice.session.fifo.ByteFifo}.
 */
package io.sluice.session.fifo;
