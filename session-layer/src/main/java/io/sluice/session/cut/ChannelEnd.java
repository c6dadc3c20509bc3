package io.sluice.session.cut;

import java.util.Objects;

/**
 * One side of a cut-through channel as the stack knows it: the application (index and name) and its worker. Kept
 * for control (who to tell when the channel closes) and for error messages.
 */
public record ChannelEnd(int appIndex, String appName, int worker) {

    public ChannelEnd {
        Objects.requireNonNull(appName, "appName");
        if (appIndex < 0 || worker < 0) {
            throw new IllegalArgumentException("application index " + appIndex + " and worker " + worker
                    + " must not be negative");
        }
    }

    @Override
    public String toString() {
        return "application " + appIndex + " (" + appName + ") worker " + worker;
    }
}
