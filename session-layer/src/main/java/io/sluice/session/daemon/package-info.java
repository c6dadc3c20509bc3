/**
 * The stack daemon ({@code bin/sluice stack -c startup.conf}): a {@link io.sluice.core.stack.Stack} and its control
 * socket. {@link io.sluice.session.daemon.StackControl} answers the control requests from the running stack.
 */
package io.sluice.session.daemon;
