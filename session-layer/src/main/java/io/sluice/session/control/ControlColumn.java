package io.sluice.session.control;

import java.util.Locale;

/**
 * A column of a {@link ControlTable}: its heading and the type of its cells.
 *
 * @param name the heading, e.g. {@code rx-packets}
 * @param type the type of every cell in the column
 */
public record ControlColumn(String name, Type type) {

    public ControlColumn {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("a column needs a name");
        }
        if (type == null) {
            throw new IllegalArgumentException("column '" + name + "' needs a type");
        }
    }

    /** @return a text column */
    public static ControlColumn text(String name) {
        return new ControlColumn(name, Type.TEXT);
    }

    /** @return an integer column */
    public static ControlColumn integer(String name) {
        return new ControlColumn(name, Type.INTEGER);
    }

    /** @return a decimal column */
    public static ControlColumn decimal(String name) {
        return new ControlColumn(name, Type.DECIMAL);
    }

    /** Cell types: each has one Java representation and one wire encoding. */
    public enum Type {
        /** a {@link String}; left-aligned when shown */
        TEXT(String.class),
        /** a {@link Long}; right-aligned */
        INTEGER(Long.class),
        /** a {@link Double}; right-aligned, two decimals */
        DECIMAL(Double.class);

        private final Class<?> javaType;

        Type(Class<?> javaType) {
            this.javaType = javaType;
        }

        /** @return the class every cell of this type is */
        public Class<?> javaType() {
            return javaType;
        }

        /** @return the type's name in JSON and in messages: text, integer or decimal */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
