package io.sluice.core.config;

import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * A whole file read against a {@link ConfigSchema}: the sections' typed values, and the warnings about sections
 * that were ignored.
 */
public final class ConfigValues {

    private final ConfigSchema schema;
    private final String source;
    private final Map<String, List<SectionValues>> sections;
    private final List<String> warnings;

    ConfigValues(ConfigSchema schema, String source, Map<String, List<SectionValues>> sections,
            List<String> warnings) {
        this.schema = schema;
        this.source = source;
        this.sections = Collections.unmodifiableMap(sections);
        this.warnings = List.copyOf(warnings);
    }

    /** @return the source read */
    public String source() {
        return source;
    }

    /**
     * The values of a section that appears at most once; defaults when the file lacks it.
     *
     * @param section a non-repeatable section of the schema
     * @return its values
     */
    public SectionValues section(SectionSchema section) {
        check(section);
        if (section.isRepeatable()) {
            throw new IllegalArgumentException("section '" + section.name() + "' is repeatable: use sections()");
        }
        List<SectionValues> found = sections.getOrDefault(section.name(), List.of());
        return found.isEmpty() ? SectionValues.defaults(section, source) : found.getFirst();
    }

    /**
     * Every instance of a section, in file order.
     *
     * @param section a section of the schema
     * @return its instances, possibly none
     */
    public List<SectionValues> sections(SectionSchema section) {
        check(section);
        return sections.getOrDefault(section.name(), List.of());
    }

    /** @return one line per ignored section, {@code source:line: section 'dpdk' ignored: reason} */
    public List<String> warnings() {
        return warnings;
    }

    private void check(SectionSchema section) {
        if (schema.sections().get(section.name()) != section) {
            throw new IllegalArgumentException("section '" + section.name() + "' is not in schema "
                    + schema.name());
        }
    }
}
