/**
 * Shared-memory segments and what every structure inside them shares: the atomic accessors
 * ({@link io.sluice.session.segment.SharedAccess}) and the error raised when another process left a value no
 * well-behaved party could have written ({@link io.sluice.session.segment.SharedMemoryCorruptedException}).
 */
package io.sluice.session.segment;
