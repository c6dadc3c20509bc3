package io.sluice.core.config;

/**
 * A top-level {@code name { ... }} stanza.
 *
 * @param name the section name, e.g. {@code unix}
 * @param line 1-based line of the name
 * @param column 1-based column of the name
 * @param body the braces and what they hold
 */
public record ConfigSection(String name, int line, int column, ConfigBlock body) {
}
