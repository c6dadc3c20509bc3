package io.sluice.netty;

import io.netty.channel.IoHandle;

/**
 * An {@link IoHandle} a {@link SluiceIoHandler} can serve: what it watches is set on its registration
 * ({@link SluiceIoRegistration#watch}), and {@link #handle} receives {@link SluiceIoEvent}s. The channels' unsafes
 * implement it.
 */
public interface SluiceIoHandle extends IoHandle {
}
