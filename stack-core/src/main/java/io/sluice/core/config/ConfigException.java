package io.sluice.core.config;

/**
 * A configuration file that cannot be used: bad syntax, an unknown section or key, a missing or bad value. The
 * message starts with {@code source:line: } (the file as the user named it and the 1-based line), so it can be
 * printed as is.
 */
public final class ConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String source;
    private final int line;
    private final String detail;

    /**
     * An error at a line of a source.
     *
     * @param source the file as the user named it (or a description such as {@code <command line>})
     * @param line the 1-based line, or 0 when the error concerns the whole source
     * @param detail what is wrong and, where it helps, what was expected
     */
    public ConfigException(String source, int line, String detail) {
        super(line > 0 ? source + ":" + line + ": " + detail : source + ": " + detail);
        this.source = source;
        this.line = line;
        this.detail = detail;
    }

    /**
     * An error reading a source, with its cause.
     *
     * @param source the file as the user named it
     * @param detail what went wrong
     * @param cause the underlying failure
     */
    public ConfigException(String source, String detail, Throwable cause) {
        super(source + ": " + detail, cause);
        this.source = source;
        this.line = 0;
        this.detail = detail;
    }

    /** @return the file as the user named it */
    public String source() {
        return source;
    }

    /** @return the 1-based line of the error, 0 when it concerns the whole source */
    public int line() {
        return line;
    }

    /** @return the message without the {@code source:line: } prefix */
    public String detail() {
        return detail;
    }
}
