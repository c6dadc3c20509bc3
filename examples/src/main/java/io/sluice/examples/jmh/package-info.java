/**
 * JMH microbenchmarks of the session layer's shared-memory structures and of the packet engine, run with
 * {@code bin/sluice jmh [JMH args]} (for example {@code bin/sluice jmh -prof gc 'ByteFifo|MessageQueue|Engine'}).
 * Every class forks with {@code --enable-native-access=ALL-UNNAMED}; each benchmark must show
 * {@code gc.alloc.rate.norm} of 0 B/op.
 */
package io.sluice.examples.jmh;
