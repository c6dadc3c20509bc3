package io.sluice.core.graph;

import io.sluice.core.wire.WireError;
import java.util.Locale;

/**
 * A reason a node counts, usually why it dropped a packet (the {@code tcp_error.def} idea): a stable symbol for
 * tools and a description for people ({@code show errors}). A node declares its reasons once; it counts them by
 * their index in that declaration.
 */
public record NodeError(String symbol, String description) {

    /**
     * The reason for a wire check's verdict ({@link WireError} code): its symbol in the graph's spelling
     * ({@code IP4_BAD_CHECKSUM} counts as {@code ip4-bad-checksum}) and its description, so a check's verdict reads
     * the same in {@code show errors} whichever node made it.
     */
    public static NodeError ofWireError(int code) {
        return new NodeError(WireError.symbol(code).toLowerCase(Locale.ROOT).replace('_', '-'),
                WireError.description(code));
    }

    public NodeError {
        if (symbol == null || !symbol.matches("[a-z0-9][a-z0-9-]*")) {
            throw new IllegalArgumentException("error symbol '" + symbol + "' must be lower-case words joined by '-'");
        }
        if (description == null || description.isBlank()) {
            throw new IllegalArgumentException("error '" + symbol + "' needs a description");
        }
    }
}
