/**
 * The application library: {@link io.sluice.comms.Sluice} attaches an application to a stack and gives each
 * thread that uses it a worker of its own; errors are {@link io.sluice.comms.SluiceException}s with a code a
 * program can test. {@link io.sluice.comms.SluicePoller} is a thread's epoll-style readiness set over its connections,
 * listeners and non-blocking connects ({@link io.sluice.comms.SluicePendingConnect}).
 */
package io.sluice.comms;
