package io.sluice.core.config;

import java.util.ArrayList;
import java.util.List;

/**
 * A parsed configuration source: its sections in order, repeated sections kept.
 *
 * @param source the file as the user named it, used in every error message
 * @param sections the top-level stanzas in source order
 */
public record ConfigDocument(String source, List<ConfigSection> sections) {

    /** Copies the section list. */
    public ConfigDocument {
        sections = List.copyOf(sections);
    }

    /**
     * The sections with a name, in source order.
     *
     * @param name the section name
     * @return the matching sections, possibly none
     */
    public List<ConfigSection> sections(String name) {
        List<ConfigSection> found = new ArrayList<>();
        for (ConfigSection section : sections) {
            if (section.name().equals(name)) {
                found.add(section);
            }
        }
        return found;
    }
}
