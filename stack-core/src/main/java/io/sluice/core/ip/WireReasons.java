package io.sluice.core.ip;

import io.sluice.core.graph.NodeError;
import io.sluice.core.wire.WireError;
import java.util.Locale;

/**
 * Node reasons for the checks of {@link WireError}: the same symbol in the graph's spelling
 * ({@code IP4_BAD_CHECKSUM} counts as {@code ip4-bad-checksum}) and the same description, so a wire check's
 * verdict reads the same in {@code show errors} whichever node made it.
 */
final class WireReasons {

    private WireReasons() {}

    /** The reason for wire error {@code code}. */
    static NodeError of(int code) {
        return new NodeError(WireError.symbol(code).toLowerCase(Locale.ROOT).replace('_', '-'),
                WireError.description(code));
    }
}
