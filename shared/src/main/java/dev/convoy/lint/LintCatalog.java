package dev.convoy.lint;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a database's catalog tells lint (read by {@code convoy lint --url}): each table's row
 * estimate ({@code pg_class.reltuples}, -1 when never analysed) and the leading columns of its
 * indexes, keyed by table name without schema. A finding on a table with more than {@code bigTable}
 * estimated rows is raised one severity.
 */
public record LintCatalog(
    Map<String, Long> rows, Map<String, List<List<String>>> indexes, long bigTable) {
  /** No database: nothing is known beyond the migrations. */
  public static final LintCatalog NONE = new LintCatalog(Map.of(), Map.of(), Long.MAX_VALUE);

  public LintCatalog {
    rows = Map.copyOf(rows);
    indexes = Map.copyOf(indexes);
  }

  boolean knows(String table) {
    return rows.containsKey(key(table));
  }

  long rowsOf(String table) {
    return rows.getOrDefault(key(table), -1L);
  }

  List<List<String>> indexesOf(String table) {
    return indexes.getOrDefault(key(table), List.of());
  }

  /** A table name as lint compares it: unquoted, lower case, without its schema. */
  static String key(String name) {
    String n = name.replace("\"", "").toLowerCase(Locale.ROOT);
    int dot = n.lastIndexOf('.');
    return dot >= 0 ? n.substring(dot + 1) : n;
  }
}
