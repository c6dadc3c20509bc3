package io.sluice.examples.cli;

import io.sluice.session.control.ControlColumn;
import io.sluice.session.control.ControlTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Tables as aligned text, the way {@code bin/sluice ctl} prints them: the title on its own line, a header row,
 * then the rows; text left-aligned, numbers right-aligned, two spaces between columns, a blank line between
 * tables. Decimals get two places; a decimal that is not a number (no packets yet) shows as {@code -}.
 */
final class TableFormatter {

    private static final String GAP = "  ";

    private TableFormatter() {}

    static String format(List<ControlTable> tables) {
        StringBuilder out = new StringBuilder();
        for (ControlTable table : tables) {
            if (!out.isEmpty()) {
                out.append('\n');
            }
            format(table, out);
        }
        return out.toString();
    }

    /** @return a cell as text, as this formatter shows it */
    static String cell(Object value) {
        return switch (value) {
            case Double d when !Double.isFinite(d) -> "-";
            case Double d -> String.format(Locale.ROOT, "%.2f", d);
            default -> String.valueOf(value);
        };
    }

    private static void format(ControlTable table, StringBuilder out) {
        List<ControlColumn> columns = table.columns();
        List<List<String>> lines = new ArrayList<>();
        lines.add(columns.stream().map(ControlColumn::name).toList());
        for (List<Object> row : table.rows()) {
            lines.add(row.stream().map(TableFormatter::cell).toList());
        }
        int[] widths = new int[columns.size()];
        for (List<String> line : lines) {
            for (int i = 0; i < widths.length; i++) {
                widths[i] = Math.max(widths[i], line.get(i).length());
            }
        }
        if (!table.title().isEmpty()) {
            out.append(table.title()).append('\n');
        }
        for (List<String> line : lines) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < widths.length; i++) {
                if (i > 0) {
                    text.append(GAP);
                }
                String value = line.get(i);
                String padding = " ".repeat(widths[i] - value.length());
                boolean right = columns.get(i).type() != ControlColumn.Type.TEXT;
                text.append(right ? padding + value : value + padding);
            }
            out.append(text.toString().stripTrailing()).append('\n');
        }
    }
}
