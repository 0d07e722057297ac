package dev.convoy.schema;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A table: columns by name in the table's own order (attnum, as the catalog reader inserts them;
 * equality, being {@link Map#equals}, ignores that order), the primary key (null if none), unique,
 * foreign key and check constraints by name, the indexes that back no constraint by name, and the
 * table's comment (null if none).
 */
public record Table(
    String name,
    Map<String, Column> columns,
    PrimaryKey primaryKey,
    Map<String, Unique> uniques,
    Map<String, ForeignKey> foreignKeys,
    Map<String, Check> checks,
    Map<String, Index> indexes,
    String comment) {
  public Table {
    columns = Collections.unmodifiableMap(new LinkedHashMap<>(columns));
    uniques = Map.copyOf(uniques);
    foreignKeys = Map.copyOf(foreignKeys);
    checks = Map.copyOf(checks);
    indexes = Map.copyOf(indexes);
  }

  /** {@code PRIMARY KEY (columns)} under its constraint name. */
  public record PrimaryKey(String name, List<String> columns) {
    public PrimaryKey {
      columns = List.copyOf(columns);
    }
  }

  /** {@code UNIQUE (columns)}; {@code nullsNotDistinct} as PostgreSQL 15 allows. */
  public record Unique(String name, List<String> columns, boolean nullsNotDistinct) {
    public Unique {
      columns = List.copyOf(columns);
    }
  }

  /**
   * {@code FOREIGN KEY (columns) REFERENCES refTable (refColumns)}; actions as SQL words ({@code
   * CASCADE}, {@code SET NULL}, {@code RESTRICT}, {@code NO ACTION}, {@code SET DEFAULT}).
   */
  public record ForeignKey(
      String name,
      List<String> columns,
      String refTable,
      List<String> refColumns,
      String onDelete,
      String onUpdate,
      boolean deferrable,
      boolean initiallyDeferred) {
    public ForeignKey {
      columns = List.copyOf(columns);
      refColumns = List.copyOf(refColumns);
    }
  }

  /** {@code CHECK (expression)}, the expression as {@code pg_get_constraintdef} prints it. */
  public record Check(String name, String expression) {}
}
