/**
 * Drop-in {@code java.net} sockets over Sluice: {@link io.sluice.comms.net.SluiceSocket},
 * {@link io.sluice.comms.net.SluiceServerSocket} and their {@code javax.net} factories, so libraries written for
 * kernel sockets run over the userspace stack unchanged. Unlike the thread-confined
 * {@link io.sluice.comms.SluiceConnection}, these may be used from any thread: they live on the application's
 * shared workers, under each worker's lock.
 */
package io.sluice.comms.net;
