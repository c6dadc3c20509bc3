/**
 * The application library: {@link io.sluice.comms.Sluice} attaches an application to a stack and gives each
 * thread that uses it a worker of its own; errors are {@link io.sluice.comms.SluiceException}s with a code a
 * program can test.
 */
package io.sluice.comms;
