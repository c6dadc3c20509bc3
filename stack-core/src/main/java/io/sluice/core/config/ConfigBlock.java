package io.sluice.core.config;

import java.util.List;

/**
 * The contents of a pair of braces, in order. A nested block always follows a word of its enclosing block (as in
 * {@code dev 0000:18:00.0 { num-rx-queues 1 }}).
 *
 * @param line 1-based line of the opening brace
 * @param column 1-based column of the opening brace
 * @param items the words and nested blocks between the braces, in source order
 */
public record ConfigBlock(int line, int column, List<ConfigItem> items) implements ConfigItem {

    /** Copies the item list. */
    public ConfigBlock {
        items = List.copyOf(items);
    }
}
