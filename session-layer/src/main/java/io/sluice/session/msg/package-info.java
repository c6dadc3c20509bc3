/**
 * The session messages that travel on the message queues between applications and the stack: their layout
 * ({@link io.sluice.session.msg.SessionMessage}), the status codes of replies and notifications
 * ({@link io.sluice.session.msg.SessionStatus}) and the 64-bit handles that name sessions and listeners
 * ({@link io.sluice.session.msg.SessionHandle}). Both ends use these classes, so they cannot drift.
 */
package io.sluice.session.msg;
