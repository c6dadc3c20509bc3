/**
 * Memory-ordering stress tests (JCStress) of the shared-memory structures: the byte FIFO and the message queue.
 * Each test races the two sides of one protocol step on a fresh structure and checks that only the outcomes the
 * structure's pairing comments promise are observed. They are not JUnit tests: {@code JcstressOrderingTest} runs
 * them in a separate JVM (see docs/testing.md).
 */
package io.sluice.session.stress;
