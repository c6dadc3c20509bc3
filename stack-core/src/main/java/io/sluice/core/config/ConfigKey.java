package io.sluice.core.config;

import java.util.Objects;

/**
 * A key of a section: its name, whether it is a flag (written alone, like {@code nodaemon}) or takes one value of a
 * {@link ValueType}, its default and whether it must be given. Keys are constants of the schema classes
 * ({@link VclConfigSchema}, {@link StackConfigSchema}) and the handle to read a value from {@link SectionValues}.
 * Every key may be given at most once per section.
 *
 * @param <T> the type of its value ({@code Boolean} for a flag)
 */
public final class ConfigKey<T> {

    private final String name;
    private final ValueType<T> type;
    private final T defaultValue;
    private final boolean required;
    private final String help;

    private ConfigKey(String name, ValueType<T> type, T defaultValue, boolean required, String help) {
        this.name = Objects.requireNonNull(name, "name");
        this.type = type;
        this.defaultValue = defaultValue;
        this.required = required;
        this.help = Objects.requireNonNull(help, "help");
    }

    /**
     * A flag: present means true, absent false.
     *
     * @param name the key
     * @param help one line on what it does
     * @return the key
     */
    public static ConfigKey<Boolean> flag(String name, String help) {
        return new ConfigKey<>(name, null, Boolean.FALSE, false, help);
    }

    /**
     * A key with one value on the same line.
     *
     * @param name the key
     * @param type how its value is parsed and checked
     * @param defaultValue the value when the key is absent, null for "not set"
     * @param help one line on what it does
     * @param <T> the value type
     * @return the key
     */
    public static <T> ConfigKey<T> value(String name, ValueType<T> type, T defaultValue, String help) {
        return new ConfigKey<>(name, Objects.requireNonNull(type, "type"), defaultValue, false, help);
    }

    /**
     * A key with one value that every instance of its section must give.
     *
     * @param name the key
     * @param type how its value is parsed and checked
     * @param help one line on what it does
     * @param <T> the value type
     * @return the key
     */
    public static <T> ConfigKey<T> required(String name, ValueType<T> type, String help) {
        return new ConfigKey<>(name, Objects.requireNonNull(type, "type"), null, true, help);
    }

    /** @return the key as written in files */
    public String name() {
        return name;
    }

    /** @return whether the key is a flag (takes no value) */
    public boolean isFlag() {
        return type == null;
    }

    /** @return the value type, null for a flag */
    public ValueType<T> type() {
        return type;
    }

    /** @return the value when absent, possibly null */
    public T defaultValue() {
        return defaultValue;
    }

    /** @return whether the key must be given */
    public boolean isRequired() {
        return required;
    }

    /** @return one line on what the key does */
    public String help() {
        return help;
    }

    @Override
    public String toString() {
        return isFlag() ? name : name + " <" + type.description() + ">";
    }
}
