/**
 * A Netty 4.2 transport over Sluice: {@link io.sluice.netty.SluiceIoHandler} makes each event loop thread a
 * comms-lib worker, {@link io.sluice.netty.SluiceSocketChannel} and {@link io.sluice.netty.SluiceServerSocketChannel}
 * take the place of Netty's NIO or epoll socket channels, and {@link io.sluice.netty.SluiceNetty} says whether the
 * transport can run here.
 */
package io.sluice.netty;
