package io.sluice.core.config;

/**
 * A word: a run of characters without white space, braces or a leading {@code #}, or a double-quoted string.
 *
 * @param text the word, without quotes and with escapes resolved
 * @param quoted whether it was written in double quotes
 * @param line 1-based line of its first character
 * @param column 1-based column of its first character
 */
public record ConfigWord(String text, boolean quoted, int line, int column) implements ConfigItem {

    @Override
    public String toString() {
        return quoted ? '"' + text + '"' : text;
    }
}
