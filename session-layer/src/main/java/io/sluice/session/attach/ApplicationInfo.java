package io.sluice.session.attach;

/**
 * One attached application as {@code show app} prints it: a copy taken when asked.
 *
 * @param index the stack's number for the application
 * @param name the name it attached with
 * @param workers its application workers (each with its message queue)
 * @param fifoSegments segments holding its FIFOs
 * @param fifoPairsInUse FIFO pairs (sessions' buffers) allocated now
 */
public record ApplicationInfo(int index, String name, int workers, int fifoSegments, int fifoPairsInUse) {
}
