package io.sluice.core.config;

import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/** The value types of configuration keys. Each checks its text completely: no trailing junk, ranges enforced. */
public final class ValueTypes {

    /** The longest Unix socket path: {@code sun_path}'s 108 bytes less the terminating NUL. */
    public static final int MAX_SOCKET_PATH_BYTES = 107;

    private ValueTypes() {
    }

    /**
     * An int in a range, written in decimal or, as VCL accepts, hexadecimal with {@code 0x}.
     *
     * @param min smallest value
     * @param max largest value
     * @return the type
     */
    public static ValueType<Integer> intRange(int min, int max) {
        return of("an integer from " + min + " to " + max, text -> (int) number(text, min, max, false));
    }

    /**
     * A long in a range, decimal or {@code 0x} hexadecimal.
     *
     * @param min smallest value
     * @param max largest value
     * @return the type
     */
    public static ValueType<Long> longRange(long min, long max) {
        return of("an integer from " + min + " to " + max, text -> number(text, min, max, false));
    }

    /**
     * An unsigned 64-bit number (as VCL's {@code namespace-secret}), decimal or {@code 0x} hexadecimal, returned
     * in a long's bits.
     *
     * @return the type
     */
    public static ValueType<Long> unsigned64() {
        return of("an unsigned 64-bit integer", text -> {
            String digits = text;
            int radix = 10;
            if (text.startsWith("0x") || text.startsWith("0X")) {
                digits = text.substring(2);
                radix = 16;
            }
            if (digits.isEmpty() || !digits.chars().allMatch(c -> Character.digit(c, 16) >= 0 && c < 0x80)) {
                throw new IllegalArgumentException("not a number");
            }
            try {
                return Long.parseUnsignedLong(digits, radix);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(radix == 10 ? "not a decimal number or too large"
                        : "too large");
            }
        });
    }

    /**
     * A size in bytes: a decimal or {@code 0x} number, optionally followed by {@code k}, {@code m} or {@code g}
     * (either case) for KiB, MiB, GiB, as VPP's memory sizes. {@code 400000}, {@code 64k}, {@code 1g}.
     *
     * @param min smallest size in bytes
     * @param max largest size in bytes
     * @return the type
     */
    public static ValueType<Long> size(long min, long max) {
        return of("a size in bytes from " + formatSize(min) + " to " + formatSize(max)
                + " (a number, optionally with k, m or g)", text -> number(text, min, max, true));
    }

    /**
     * A word or quoted string of 1 to {@code maxLength} characters.
     *
     * @param what what the string is, for messages (e.g. "a namespace name")
     * @param maxLength the longest accepted
     * @return the type
     */
    public static ValueType<String> string(String what, int maxLength) {
        return of(what + " of at most " + maxLength + " characters", text -> {
            if (text.isEmpty()) {
                throw new IllegalArgumentException("empty");
            }
            if (text.length() > maxLength) {
                throw new IllegalArgumentException("longer than " + maxLength + " characters");
            }
            return text;
        });
    }

    /**
     * A file system path.
     *
     * @param what what the path names, for messages (e.g. "a socket path")
     * @return the type
     */
    public static ValueType<Path> path(String what) {
        return of(what, text -> {
            if (text.isEmpty()) {
                throw new IllegalArgumentException("empty path");
            }
            try {
                return Path.of(text);
            } catch (InvalidPathException e) {
                throw new IllegalArgumentException("not a valid path: " + e.getReason());
            }
        });
    }

    /**
     * A Unix-domain socket path: a file system path short enough for {@code sockaddr_un} (at most
     * {@value #MAX_SOCKET_PATH_BYTES} bytes of UTF-8, since the kernel keeps 108 bytes including the NUL).
     *
     * @param what what the socket is, for messages (e.g. "the path of the application socket")
     * @return the type
     */
    public static ValueType<Path> socketPath(String what) {
        ValueType<Path> path = path(what);
        return of(what + " of at most " + MAX_SOCKET_PATH_BYTES + " bytes", text -> {
            int bytes = text.getBytes(StandardCharsets.UTF_8).length;
            if (bytes > MAX_SOCKET_PATH_BYTES) {
                throw new IllegalArgumentException(bytes + " bytes long, more than the " + MAX_SOCKET_PATH_BYTES
                        + " a Unix socket address holds");
            }
            return path.parse(text);
        });
    }

    /**
     * Permission bits of a file, in octal as {@code chmod} takes them: {@code 0600}, {@code 660}; at most
     * {@code 0777} (no set-id or sticky bits).
     *
     * @return the type, yielding the bits
     */
    public static ValueType<Integer> fileMode() {
        return of("an octal file mode from 0 to 0777, such as 0600", text -> {
            if (!text.matches("0?[0-7]{1,3}")) {
                throw new IllegalArgumentException("not an octal mode of at most 0777");
            }
            return Integer.parseInt(text, 8);
        });
    }

    /**
     * One of a fixed set of words.
     *
     * @param choices the accepted words
     * @return the type, yielding the word
     */
    public static ValueType<String> oneOf(String... choices) {
        List<String> list = List.of(choices);
        return of("one of " + String.join(", ", list), text -> {
            if (!list.contains(text)) {
                throw new IllegalArgumentException("not one of " + String.join(", ", list));
            }
            return text;
        });
    }

    /** @return the CPU list type ({@code 2-4,6}) */
    public static ValueType<CpuList> cpuList() {
        return of("a CPU list such as 2-4,6 (CPUs 0 to " + CpuList.MAX_CPU + ")", CpuList::parse);
    }

    /** @return an IPv4 address with prefix length ({@code 198.18.0.1/24}), kept as text */
    public static ValueType<String> ipv4Prefix() {
        return of("an IPv4 address with prefix length such as 198.18.0.1/24", text -> {
            int slash = text.indexOf('/');
            if (slash < 0) {
                throw new IllegalArgumentException("no prefix length (/n)");
            }
            String[] octets = text.substring(0, slash).split("\\.", -1);
            if (octets.length != 4) {
                throw new IllegalArgumentException("not four dot-separated numbers");
            }
            for (String octet : octets) {
                decimal(octet, 0, 255, "address byte");
            }
            decimal(text.substring(slash + 1), 0, 32, "prefix length");
            return text;
        });
    }

    /** @return an Ethernet address ({@code 02:fe:12:34:56:78}), returned in lower case */
    public static ValueType<String> macAddress() {
        return of("an Ethernet address such as 02:fe:00:00:00:01", text -> {
            String[] bytes = text.split(":", -1);
            if (bytes.length != 6) {
                throw new IllegalArgumentException("not six colon-separated bytes");
            }
            for (String b : bytes) {
                if (b.length() != 2 || Character.digit(b.charAt(0), 16) < 0 || Character.digit(b.charAt(1), 16) < 0
                        || b.charAt(0) >= 0x80 || b.charAt(1) >= 0x80) {
                    throw new IllegalArgumentException("'" + b + "' is not a hexadecimal byte");
                }
            }
            return text.toLowerCase(Locale.ROOT);
        });
    }

    /** @return a Linux interface name: 1 to 15 characters, no '/', ':' or white space */
    public static ValueType<String> interfaceName() {
        return of("an interface name of 1 to 15 characters without '/' or ':'", text -> {
            if (text.isEmpty() || text.length() > 15) {
                throw new IllegalArgumentException("must be 1 to 15 characters");
            }
            if (text.chars().anyMatch(c -> c == '/' || c == ':' || c <= ' ')) {
                throw new IllegalArgumentException("contains '/', ':' or white space");
            }
            return text;
        });
    }

    /** @return a network namespace name as {@code ip netns} takes it: 1 to 64 of letters, digits, '.', '_', '-' */
    public static ValueType<String> namespaceName() {
        return of("a namespace name of 1 to 64 letters, digits, '.', '_' or '-'", text -> {
            if (!text.matches("[A-Za-z0-9_.-]{1,64}") || text.equals(".") || text.equals("..")) {
                throw new IllegalArgumentException("must be 1 to 64 letters, digits, '.', '_' or '-'");
            }
            return text;
        });
    }

    /** @return a group, by name ({@code vpp}) or number ({@code 1000}) */
    public static ValueType<String> group() {
        return of("a group name or number", text -> {
            if (text.isEmpty() || text.length() > 32
                    || !text.chars().allMatch(c -> c < 0x80 && (Character.isLetterOrDigit(c) || c == '_'
                    || c == '-' || c == '.'))) {
                throw new IllegalArgumentException("not a group name or number");
            }
            return text;
        });
    }

    /** @return text as a size, {@code 1g} for 2^30, {@code 64k}, otherwise the plain number */
    static String formatSize(long bytes) {
        String[] suffixes = {"g", "m", "k"};
        int[] shifts = {30, 20, 10};
        for (int i = 0; i < suffixes.length; i++) {
            long unit = 1L << shifts[i];
            if (bytes >= unit && bytes % unit == 0) {
                return bytes / unit + suffixes[i];
            }
        }
        return Long.toString(bytes);
    }

    private static long number(String text, long min, long max, boolean allowSuffix) {
        String digits = text;
        int shift = 0;
        if (allowSuffix && !digits.isEmpty()) {
            char last = Character.toLowerCase(digits.charAt(digits.length() - 1));
            int found = last == 'k' ? 10 : last == 'm' ? 20 : last == 'g' ? 30 : 0;
            boolean hex = digits.startsWith("0x") || digits.startsWith("0X");
            if (found != 0 && !hex) {
                shift = found;
                digits = digits.substring(0, digits.length() - 1);
            }
        }
        int radix = 10;
        if (digits.startsWith("0x") || digits.startsWith("0X")) {
            radix = 16;
            digits = digits.substring(2);
        }
        if (digits.isEmpty() || digits.length() > 19) {
            throw new IllegalArgumentException(digits.isEmpty() ? "not a number" : "too large");
        }
        for (int i = 0; i < digits.length(); i++) {
            char c = digits.charAt(i);
            if (c >= 0x80 || Character.digit(c, radix) < 0) {
                throw new IllegalArgumentException("not a number"
                        + (allowSuffix ? " (sizes take the suffixes k, m, g)" : ""));
            }
        }
        long value;
        try {
            value = Long.parseLong(digits, radix);
            value = Math.multiplyExact(value, 1L << shift);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("too large");
        }
        if (value < min || value > max) {
            String shown = allowSuffix ? formatSize(min) + " to " + formatSize(max) : min + " to " + max;
            throw new IllegalArgumentException(value + " is out of range " + shown);
        }
        return value;
    }

    private static void decimal(String text, int min, int max, String what) {
        if (text.isEmpty() || text.length() > 3 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("bad " + what + " '" + text + "'");
        }
        int value = Integer.parseInt(text);
        if (value < min || value > max) {
            throw new IllegalArgumentException(what + " " + value + " is out of range " + min + " to " + max);
        }
    }

    private static <T> ValueType<T> of(String description, Function<String, T> parser) {
        return new ValueType<>() {
            @Override
            public String description() {
                return description;
            }

            @Override
            public T parse(String text) {
                return parser.apply(text);
            }

            @Override
            public String toString() {
                return description;
            }
        };
    }
}
