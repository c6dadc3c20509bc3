package io.sluice.examples.cli;

import io.sluice.session.control.ControlColumn;
import io.sluice.session.control.ControlTable;
import java.util.List;
import java.util.Locale;

/**
 * Tables as JSON, for {@code bin/sluice ctl --json}: an array with one object per table, each with its
 * {@code title}, {@code columns} (name and type) and {@code rows} (arrays of cells: strings, integers, decimals;
 * a decimal that is not a number becomes {@code null}). The same data as the text form, unformatted.
 */
final class JsonFormatter {

    private JsonFormatter() {}

    static String format(List<ControlTable> tables) {
        StringBuilder out = new StringBuilder("[");
        for (int t = 0; t < tables.size(); t++) {
            ControlTable table = tables.get(t);
            out.append(t == 0 ? "\n" : ",\n").append("  {\n    \"title\": ");
            string(table.title(), out);
            out.append(",\n    \"columns\": [");
            for (int c = 0; c < table.columns().size(); c++) {
                ControlColumn column = table.columns().get(c);
                out.append(c == 0 ? "" : ", ").append("{\"name\": ");
                string(column.name(), out);
                out.append(", \"type\": \"").append(column.type().label()).append("\"}");
            }
            out.append("],\n    \"rows\": [");
            for (int r = 0; r < table.rows().size(); r++) {
                out.append(r == 0 ? "\n      [" : ",\n      [");
                List<Object> row = table.rows().get(r);
                for (int c = 0; c < row.size(); c++) {
                    out.append(c == 0 ? "" : ", ");
                    value(row.get(c), out);
                }
                out.append(']');
            }
            out.append(table.rows().isEmpty() ? "]\n  }" : "\n    ]\n  }");
        }
        return out.append(tables.isEmpty() ? "]\n" : "\n]\n").toString();
    }

    private static void value(Object cell, StringBuilder out) {
        switch (cell) {
            case String s -> string(s, out);
            case Double d when !Double.isFinite(d) -> out.append("null");
            default -> out.append(cell);
        }
    }

    /** A JSON string: quotes, backslashes and control characters escaped (RFC 8259, section 7). */
    static void string(String text, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
