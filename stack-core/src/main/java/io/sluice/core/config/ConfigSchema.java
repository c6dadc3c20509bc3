package io.sluice.core.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The sections a kind of file accepts ({@code startup.conf}, {@code vcl.conf}), and the sections it reads but
 * ignores with a warning: VPP sections Sluice will never support, so a VPP file still loads. Any other section is
 * an error.
 */
public final class ConfigSchema {

    private final String name;
    private final Map<String, SectionSchema> sections;
    private final Map<String, String> ignored;

    private ConfigSchema(String name, Map<String, SectionSchema> sections, Map<String, String> ignored) {
        this.name = name;
        this.sections = Collections.unmodifiableMap(new LinkedHashMap<>(sections));
        this.ignored = Collections.unmodifiableMap(new LinkedHashMap<>(ignored));
    }

    /**
     * A schema.
     *
     * @param name what the file is, e.g. {@code "startup.conf"}
     * @param sections the sections read
     * @param ignored the sections accepted and ignored, with the reason given in the warning
     * @return the schema
     */
    public static ConfigSchema of(String name, Iterable<SectionSchema> sections, Map<String, String> ignored) {
        Map<String, SectionSchema> byName = new LinkedHashMap<>();
        for (SectionSchema section : sections) {
            if (byName.putIfAbsent(section.name(), section) != null || ignored.containsKey(section.name())) {
                throw new IllegalArgumentException("section '" + section.name() + "' declared twice");
            }
        }
        return new ConfigSchema(Objects.requireNonNull(name, "name"), byName, ignored);
    }

    /** @return what the file is */
    public String name() {
        return name;
    }

    /** @return the sections read, by name */
    public Map<String, SectionSchema> sections() {
        return sections;
    }

    /** @return the sections ignored with a warning, name to reason */
    public Map<String, String> ignored() {
        return ignored;
    }
}
