package io.sluice.core.graph;

/**
 * A reason a node counts, usually why it dropped a packet (the {@code tcp_error.def} idea): a stable symbol for
 * tools and a description for people ({@code show errors}). A node declares its reasons once; it counts them by
 * their index in that declaration.
 */
public record NodeError(String symbol, String description) {

    public NodeError {
        if (symbol == null || !symbol.matches("[a-z0-9][a-z0-9-]*")) {
            throw new IllegalArgumentException("error symbol '" + symbol + "' must be lower-case words joined by '-'");
        }
        if (description == null || description.isBlank()) {
            throw new IllegalArgumentException("error '" + symbol + "' needs a description");
        }
    }
}
