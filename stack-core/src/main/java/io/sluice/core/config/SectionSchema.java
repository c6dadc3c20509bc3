package io.sluice.core.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The keys a section accepts. A section may also name keys that VPP or VCL knows but Sluice does not support, with
 * the reason, so a file written for VPP fails with that reason instead of "unknown key". A repeatable section (an
 * interface stanza) may appear several times; other sections at most once.
 */
public final class SectionSchema {

    private final String name;
    private final Map<String, ConfigKey<?>> keys;
    private final Map<String, String> unsupported;
    private final boolean repeatable;

    private SectionSchema(Builder builder) {
        this.name = builder.name;
        this.keys = Collections.unmodifiableMap(new LinkedHashMap<>(builder.keys));
        this.unsupported = Collections.unmodifiableMap(new LinkedHashMap<>(builder.unsupported));
        this.repeatable = builder.repeatable;
    }

    /**
     * Starts a schema.
     *
     * @param name the section name
     * @return a builder
     */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** @return the section name */
    public String name() {
        return name;
    }

    /** @return the accepted keys by name, in declaration order */
    public Map<String, ConfigKey<?>> keys() {
        return keys;
    }

    /** @return keys rejected with a reason, by name */
    public Map<String, String> unsupported() {
        return unsupported;
    }

    /** @return whether the section may appear more than once */
    public boolean isRepeatable() {
        return repeatable;
    }

    /** @return whether the key is one of this section's */
    public boolean contains(ConfigKey<?> key) {
        return keys.get(key.name()) == key;
    }

    @Override
    public String toString() {
        return name + " " + keys.keySet();
    }

    /** Collects the keys of a {@link SectionSchema}. */
    public static final class Builder {

        private final String name;
        private final Map<String, ConfigKey<?>> keys = new LinkedHashMap<>();
        private final Map<String, String> unsupported = new LinkedHashMap<>();
        private boolean repeatable;

        private Builder(String name) {
            this.name = Objects.requireNonNull(name, "name");
        }

        /**
         * Adds keys.
         *
         * @param added the keys
         * @return this builder
         */
        public Builder keys(ConfigKey<?>... added) {
            for (ConfigKey<?> key : added) {
                if (keys.putIfAbsent(key.name(), key) != null || unsupported.containsKey(key.name())) {
                    throw new IllegalArgumentException("key '" + key.name() + "' declared twice in " + name);
                }
            }
            return this;
        }

        /**
         * Names a key that is rejected with a reason.
         *
         * @param key the key
         * @param reason why Sluice does not support it, and what to do instead
         * @return this builder
         */
        public Builder unsupported(String key, String reason) {
            if (keys.containsKey(key) || unsupported.putIfAbsent(key, reason) != null) {
                throw new IllegalArgumentException("key '" + key + "' declared twice in " + name);
            }
            return this;
        }

        /**
         * Lets the section appear several times.
         *
         * @return this builder
         */
        public Builder repeatable() {
            repeatable = true;
            return this;
        }

        /** @return the schema */
        public SectionSchema build() {
            return new SectionSchema(this);
        }
    }
}
