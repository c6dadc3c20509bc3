package io.sluice.core.config;

/**
 * How the text of a configuration value becomes a typed value. Implementations are in {@link ValueTypes}.
 *
 * @param <T> the type of the parsed value
 */
public interface ValueType<T> {

    /**
     * What a valid value looks like, for error messages: completes "expected ...", e.g.
     * {@code "a size in bytes from 64 to 1g"}.
     *
     * @return the description
     */
    String description();

    /**
     * Parses a value.
     *
     * @param text the value as written, without quotes
     * @return the typed value, never null
     * @throws IllegalArgumentException with a short reason (no file or line: the reader adds them)
     */
    T parse(String text);
}
