/**
 * JMH microbenchmarks of the session layer's shared-memory structures, the packet engine and the TCP wire layer,
 * run with {@code bin/sluice jmh [JMH args]} (for example
 * {@code bin/sluice jmh -prof gc 'ByteFifo|MessageQueue|Engine|TcpWire'}).
 * Every class forks with {@code --enable-native-access=ALL-UNNAMED}; each benchmark must show
 * {@code gc.alloc.rate.norm} of 0 B/op.
 */
package io.sluice.examples.jmh;
