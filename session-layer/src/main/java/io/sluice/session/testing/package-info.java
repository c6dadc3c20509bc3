/**
 * Support for tests across processes, shared by the tests of this module and of the modules above it: a child JVM
 * on the test classpath ({@link io.sluice.session.testing.ChildJvm}). The library itself does not use it.
 */
package io.sluice.session.testing;
