/**
 * The stack's control socket: a small closed set of requests ({@link io.sluice.session.control.ControlRequest}),
 * replies that carry data as typed tables ({@link io.sluice.session.control.ControlTable}) rather than text, a
 * compact length-prefixed binary encoding ({@link io.sluice.session.control.ControlCodec}), the server the stack
 * runs on a Unix domain socket ({@link io.sluice.session.control.ControlServer}) and the client
 * {@code bin/sluice ctl} uses ({@link io.sluice.session.control.ControlClient}). The client formats; the stack
 * only fills tables, so heavy CLI use costs the data path little.
 */
package io.sluice.session.control;
