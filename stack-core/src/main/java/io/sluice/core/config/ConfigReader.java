package io.sluice.core.config;

import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a {@link ConfigDocument} against a {@link ConfigSchema}. Inside a section, each word in key position must
 * be a key of the section; a flag stands alone, any other key takes the next word, which must be on the same
 * line. Errors are {@link ConfigException}s naming the source and line:
 * <ul>
 *   <li>an unknown section (unless the schema ignores it, which logs a warning) or a non-repeatable section given
 *       twice;</li>
 *   <li>an unknown key (with the closest known key when one is near), or a VPP key Sluice does not support (with
 *       the reason);</li>
 *   <li>a key given twice, a missing value, a bad value (with the reason and what was expected), a required key
 *       missing, a block where none is accepted.</li>
 * </ul>
 */
public final class ConfigReader {

    private static final System.Logger LOG = System.getLogger(ConfigReader.class.getName());

    private ConfigReader() {
    }

    /**
     * Parses and reads a file.
     *
     * @param path the file
     * @param schema what it must contain
     * @return the values
     * @throws ConfigException if the file cannot be read or is not valid
     */
    public static ConfigValues read(Path path, ConfigSchema schema) {
        return read(ConfigParser.parse(path), schema);
    }

    /**
     * Parses and reads text.
     *
     * @param source the name used in error messages
     * @param text the configuration text
     * @param schema what it must contain
     * @return the values
     * @throws ConfigException if the text is not valid
     */
    public static ConfigValues read(String source, CharSequence text, ConfigSchema schema) {
        return read(ConfigParser.parse(source, text), schema);
    }

    /**
     * Reads a parsed document.
     *
     * @param document the document
     * @param schema what it must contain
     * @return the values
     * @throws ConfigException if the document does not fit the schema
     */
    public static ConfigValues read(ConfigDocument document, ConfigSchema schema) {
        String source = document.source();
        Map<String, List<SectionValues>> sections = new LinkedHashMap<>();
        Map<String, Integer> firstLine = new HashMap<>();
        List<String> warnings = new ArrayList<>();
        for (ConfigSection section : document.sections()) {
            String name = section.name();
            SectionSchema sectionSchema = schema.sections().get(name);
            if (sectionSchema == null) {
                String reason = schema.ignored().get(name);
                if (reason == null) {
                    throw unknownSection(source, section, schema);
                }
                String warning = source + ":" + section.line() + ": section '" + name + "' ignored: " + reason;
                warnings.add(warning);
                LOG.log(Level.WARNING, warning);
                continue;
            }
            Integer first = firstLine.putIfAbsent(name, section.line());
            if (first != null && !sectionSchema.isRepeatable()) {
                throw new ConfigException(source, section.line(),
                        "section '" + name + "' given twice (first at line " + first + ")");
            }
            sections.computeIfAbsent(name, n -> new ArrayList<>()).add(readSection(source, section, sectionSchema));
        }
        return new ConfigValues(schema, source, sections, warnings);
    }

    private static ConfigException unknownSection(String source, ConfigSection section, ConfigSchema schema) {
        Set<String> known = new LinkedHashSet<>(schema.sections().keySet());
        known.addAll(schema.ignored().keySet());
        String hint = Suggestions.didYouMean(section.name(), known);
        if (hint.isEmpty()) {
            hint = " (" + schema.name() + " takes " + String.join(", ", schema.sections().keySet()) + ")";
        }
        return new ConfigException(source, section.line(), "unknown section '" + section.name() + "'" + hint);
    }

    private static SectionValues readSection(String source, ConfigSection section, SectionSchema schema) {
        String where = " in section '" + schema.name() + "'";
        Map<String, Object> values = new HashMap<>();
        Map<String, Integer> lines = new HashMap<>();
        List<ConfigItem> items = section.body().items();
        String previous = null;
        int i = 0;
        while (i < items.size()) {
            ConfigItem item = items.get(i++);
            if (!(item instanceof ConfigWord word)) {
                throw new ConfigException(source, item.line(), "unexpected block after '" + previous + "'" + where
                        + ": no key of this section takes a block");
            }
            String name = word.text();
            ConfigKey<?> key = schema.keys().get(name);
            if (key == null) {
                throw unknownKey(source, word, schema, where);
            }
            Integer first = lines.putIfAbsent(name, word.line());
            if (first != null) {
                throw new ConfigException(source, word.line(),
                        "key '" + name + "' given twice" + where + " (first at line " + first + ")");
            }
            previous = name;
            if (key.isFlag()) {
                values.put(name, Boolean.TRUE);
                continue;
            }
            ConfigItem next = i < items.size() ? items.get(i) : null;
            if (!(next instanceof ConfigWord value) || value.line() != word.line()) {
                throw new ConfigException(source, word.line(), "missing value for '" + name + "'" + where
                        + " (expected " + key.type().description() + " on the same line)");
            }
            i++;
            try {
                values.put(name, key.type().parse(value.text()));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(source, value.line(), "bad value '" + value.text() + "' for '" + name
                        + "'" + where + ": " + e.getMessage() + " (expected " + key.type().description() + ")");
            }
        }
        for (ConfigKey<?> key : schema.keys().values()) {
            if (key.isRequired() && !values.containsKey(key.name())) {
                throw new ConfigException(source, section.line(), "section '" + schema.name() + "' needs '"
                        + key.name() + "' (" + key.type().description() + ")");
            }
        }
        return new SectionValues(schema, source, section.line(), values, lines);
    }

    private static ConfigException unknownKey(String source, ConfigWord word, SectionSchema schema, String where) {
        String reason = schema.unsupported().get(word.text());
        if (reason != null) {
            return new ConfigException(source, word.line(),
                    "key '" + word.text() + "'" + where + " is not supported by Sluice: " + reason);
        }
        String hint = Suggestions.didYouMean(word.text(), schema.keys().keySet());
        if (hint.isEmpty()) {
            hint = " (known keys: " + String.join(", ", schema.keys().keySet()) + ")";
        }
        return new ConfigException(source, word.line(), "unknown key '" + word.text() + "'" + where + hint);
    }
}
