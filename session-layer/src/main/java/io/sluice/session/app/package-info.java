/**
 * The application side of the session layer, at its lowest level: attach to a stack
 * ({@link io.sluice.session.app.SessionApplication}), one {@link io.sluice.session.app.AppWorker} per thread that
 * posts requests to the stack queues and drains its own message queue, and the sessions
 * ({@link io.sluice.session.app.AppSession}) and listeners ({@link io.sluice.session.app.AppListener}) it owns,
 * whose bytes move through FIFOs in shared memory. The comms library builds its sockets, poller and Netty transport
 * on these classes; tests use them as the application of a multi-process test.
 */
package io.sluice.session.app;
