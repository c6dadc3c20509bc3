package io.sluice.core.config;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;

/**
 * The typed values of one section, read against its {@link SectionSchema}: given values, and defaults for the
 * rest. Remembers the line of each given key so later checks that involve several keys can name it
 * ({@link #error}).
 */
public final class SectionValues {

    private final SectionSchema schema;
    private final String source;
    private final int line;
    private final Map<String, Object> values;
    private final Map<String, Integer> lines;

    SectionValues(SectionSchema schema, String source, int line, Map<String, Object> values,
            Map<String, Integer> lines) {
        this.schema = schema;
        this.source = source;
        this.line = line;
        this.values = Collections.unmodifiableMap(values);
        this.lines = Collections.unmodifiableMap(lines);
    }

    static SectionValues defaults(SectionSchema schema, String source) {
        return new SectionValues(schema, source, 0, Map.of(), Map.of());
    }

    /** @return the schema the section was read with */
    public SectionSchema schema() {
        return schema;
    }

    /** @return the source the section came from */
    public String source() {
        return source;
    }

    /** @return the line of the section name, 0 when the section was absent (all defaults) */
    public int line() {
        return line;
    }

    /** @return whether the section was in the file */
    public boolean present() {
        return line > 0;
    }

    /**
     * The value of a key: as given, else its default (null for a key without default that was not given).
     *
     * @param key a key of this section's schema
     * @param <T> the value type
     * @return the value or default
     * @throws IllegalArgumentException if the key is not of this section
     */
    public <T> T get(ConfigKey<T> key) {
        check(key);
        @SuppressWarnings("unchecked")
        T value = (T) values.get(key.name());
        return value != null ? value : key.defaultValue();
    }

    /**
     * The value of a key, empty when neither given nor defaulted.
     *
     * @param key a key of this section's schema
     * @param <T> the value type
     * @return the value, if any
     */
    public <T> Optional<T> find(ConfigKey<T> key) {
        return Optional.ofNullable(get(key));
    }

    /**
     * @param key a key of this section's schema
     * @return whether the file gave the key
     */
    public boolean isSet(ConfigKey<?> key) {
        check(key);
        return values.containsKey(key.name());
    }

    /**
     * @param key a key of this section's schema
     * @return the line where the key was given, or the section's line (0 if absent) when it was not
     */
    public int line(ConfigKey<?> key) {
        check(key);
        return lines.getOrDefault(key.name(), line);
    }

    /**
     * An error about a key's value found by a check that spans keys, at the key's line.
     *
     * @param key the key to blame
     * @param detail what is wrong
     * @return the exception, to throw
     */
    public ConfigException error(ConfigKey<?> key, String detail) {
        return new ConfigException(source, line(key), detail);
    }

    private void check(ConfigKey<?> key) {
        if (!schema.contains(key)) {
            throw new IllegalArgumentException("key '" + key.name() + "' is not a key of section '"
                    + schema.name() + "'");
        }
    }

    @Override
    public String toString() {
        return schema.name() + " " + values;
    }
}
