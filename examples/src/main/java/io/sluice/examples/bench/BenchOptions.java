package io.sluice.examples.bench;

import java.util.Locale;

/**
 * The options every benchmark program takes, parsed strictly: an unknown flag, a missing value or a value out of
 * range is an {@link IllegalArgumentException} whose message names it.
 *
 * @param seconds measured seconds per contender, split evenly across the rounds
 * @param rounds measured rounds per contender, interleaved between contenders; the median is reported
 * @param warmupSeconds unmeasured seconds each contender runs first, so the JIT has compiled its loops
 * @param help whether {@code --help} was given
 */
public record BenchOptions(double seconds, int rounds, double warmupSeconds, boolean help) {

    /** The default: 3 rounds of 2 s per contender after 1 s of warm-up. */
    public static final BenchOptions DEFAULT = new BenchOptions(6, 3, 1, false);

    /** {@code --quick}: a smoke run of well under 10 s per benchmark; the figures are only indicative. */
    public static final BenchOptions QUICK = new BenchOptions(0.6, 3, 0.3, false);

    static final String USAGE = """
              --seconds N   measured seconds per contender, split across the rounds (default 6)
              --rounds N    interleaved measured rounds per contender; the median is reported (default 3)
              --quick       short smoke run (0.6 s per contender in 3 rounds after 0.3 s of warm-up)
              --help        this text
            """;

    public BenchOptions {
        if (!(seconds > 0) || seconds > 3600) {
            throw new IllegalArgumentException("--seconds must be in (0, 3600], got " + seconds);
        }
        if (rounds < 1 || rounds > 100) {
            throw new IllegalArgumentException("--rounds must be in [1, 100], got " + rounds);
        }
        if (warmupSeconds < 0) {
            throw new IllegalArgumentException("warm-up seconds must not be negative, got " + warmupSeconds);
        }
    }

    /** Seconds of each measured round. */
    public double roundSeconds() {
        return seconds / rounds;
    }

    /** Parses the words after the benchmark's name. */
    public static BenchOptions parse(String[] args) {
        boolean quick = false;
        boolean help = false;
        Double seconds = null;
        Integer rounds = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--quick" -> quick = true;
                case "--help", "-h" -> help = true;
                case "--seconds" -> seconds = parseSeconds(valueOf(args, i++));
                case "--rounds" -> rounds = parseRounds(valueOf(args, i++));
                default -> throw new IllegalArgumentException(arg.startsWith("-")
                        ? "unknown option '" + arg + "'" : "unexpected argument '" + arg + "'");
            }
        }
        BenchOptions base = quick ? QUICK : DEFAULT;
        return new BenchOptions(seconds != null ? seconds : base.seconds(),
                rounds != null ? rounds : base.rounds(), base.warmupSeconds(), help);
    }

    private static String valueOf(String[] args, int flagIndex) {
        if (flagIndex + 1 >= args.length) {
            throw new IllegalArgumentException("option " + args[flagIndex] + " needs a value");
        }
        return args[flagIndex + 1];
    }

    private static double parseSeconds(String value) {
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--seconds wants a number of seconds, got '" + value + "'");
        }
    }

    private static int parseRounds(String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--rounds wants a whole number, got '" + value + "'");
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%d rounds of %.2f s per contender after %.2f s of warm-up", rounds,
                roundSeconds(), warmupSeconds);
    }
}
