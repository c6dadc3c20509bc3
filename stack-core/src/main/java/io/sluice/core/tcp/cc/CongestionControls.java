package io.sluice.core.tcp.cc;

import java.util.List;

/** Congestion control algorithms by name, the one place their names are spelt ({@code tcp { cc-algo ... }}). */
public final class CongestionControls {

    /** RFC 9438 CUBIC. */
    public static final String CUBIC = "cubic";
    /** RFC 5681 / RFC 6582 NewReno. */
    public static final String NEWRENO = "newreno";
    /** The algorithm used when none is configured. */
    public static final String DEFAULT = CUBIC;
    /** Every known name, the default first. */
    public static final List<String> NAMES = List.of(CUBIC, NEWRENO);

    private CongestionControls() {}

    /**
     * A new instance of the named algorithm for one connection.
     *
     * @param name one of {@link #NAMES}
     * @param smss the sender maximum segment size in bytes
     * @throws IllegalArgumentException for an unknown name (the message lists the known ones) or a bad SMSS
     */
    public static CongestionControl create(String name, int smss) {
        return switch (name) {
            case CUBIC -> new Cubic(smss);
            case NEWRENO -> new NewReno(smss);
            case null, default -> throw new IllegalArgumentException("unknown congestion control '" + name
                    + "': known are " + String.join(", ", NAMES));
        };
    }
}
