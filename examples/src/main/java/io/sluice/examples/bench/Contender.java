package io.sluice.examples.bench;

/** One of the things a benchmark compares (Sluice, a memcpy loop, the kernel...), measured one round at a time. */
interface Contender {

    /** Short name printed in the per-round lines and the summary. */
    String name();

    /**
     * Runs for about {@code seconds} and returns the rate measured, in units per second (bytes, events...). Each
     * call is one round; calls never overlap.
     */
    double measure(double seconds) throws Exception;
}
