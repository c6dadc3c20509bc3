package io.sluice.session.control;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One table of a {@link ControlReply}: a title, typed columns and rows of cells. Cells are {@link String},
 * {@link Long} or {@link Double} as their column's {@link ControlColumn.Type} says; the constructor checks this,
 * so a formatter or the codec never meets a surprise.
 *
 * @param title the title, e.g. {@code Thread 1 worker 0}
 * @param columns the columns, at least one
 * @param rows the rows, each with one cell per column
 */
public record ControlTable(String title, List<ControlColumn> columns, List<List<Object>> rows) {

    public ControlTable {
        if (title == null) {
            throw new IllegalArgumentException("a table needs a title (it may be empty)");
        }
        columns = List.copyOf(columns);
        if (columns.isEmpty()) {
            throw new IllegalArgumentException("table '" + title + "' needs at least one column");
        }
        List<List<Object>> checked = new ArrayList<>(rows.size());
        for (List<Object> row : rows) {
            checked.add(checkRow(title, columns, checked.size(), row));
        }
        rows = List.copyOf(checked);
    }

    /** @return a builder of a table with the given title and columns */
    public static Builder builder(String title, List<ControlColumn> columns) {
        return new Builder(title, columns);
    }

    private static List<Object> checkRow(String title, List<ControlColumn> columns, int index, List<Object> row) {
        if (row.size() != columns.size()) {
            throw new IllegalArgumentException("table '" + title + "' row " + index + " has " + row.size()
                    + " cells for " + columns.size() + " columns");
        }
        List<Object> cells = new ArrayList<>(row.size());
        for (int i = 0; i < row.size(); i++) {
            cells.add(cell(title, columns.get(i), index, row.get(i)));
        }
        return List.copyOf(cells);
    }

    /** Widens int to long and float to double so callers can pass what their counters hold. */
    private static Object cell(String title, ControlColumn column, int row, Object value) {
        Object cell = switch (value) {
            case Integer i when column.type() == ControlColumn.Type.INTEGER -> Long.valueOf(i);
            case Integer i when column.type() == ControlColumn.Type.DECIMAL -> Double.valueOf(i);
            case Long l when column.type() == ControlColumn.Type.DECIMAL -> Double.valueOf(l);
            case Float f when column.type() == ControlColumn.Type.DECIMAL -> Double.valueOf(f);
            case null, default -> value;
        };
        if (!column.type().javaType().isInstance(cell)) {
            throw new IllegalArgumentException("table '" + title + "' row " + row + " column '" + column.name()
                    + "' is " + column.type().label() + ", not " + (value == null ? "null"
                    : value.getClass().getSimpleName()));
        }
        return cell;
    }

    /** Collects rows, then makes the table. Not thread-safe. */
    public static final class Builder {

        private final String title;
        private final List<ControlColumn> columns;
        private final List<List<Object>> rows = new ArrayList<>();

        private Builder(String title, List<ControlColumn> columns) {
            this.title = title;
            this.columns = List.copyOf(columns);
        }

        /**
         * Adds a row.
         *
         * @param cells one per column: {@link String} for text, {@code int}/{@code long} for integer, any number
         *        for decimal
         * @return this builder
         */
        public Builder row(Object... cells) {
            rows.add(checkRow(title, columns, rows.size(), Arrays.asList(cells)));
            return this;
        }

        /** @return the table */
        public ControlTable build() {
            return new ControlTable(title, columns, rows);
        }
    }
}
