package dev.convoy.lint;

import java.util.List;
import java.util.Map;

/**
 * What a database's catalog tells lint (read by {@code convoy lint --url}): each table's row
 * estimate ({@code pg_class.reltuples}, -1 when never analysed) and the leading columns of its
 * indexes, keyed by table name as PostgreSQL stores it ({@code relname}: an unquoted name folded to
 * lower case, a quoted one as written) without schema. A finding on a table with more than {@code
 * bigTable} estimated rows is raised one severity.
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

  /**
   * A typed operation's table or index name as lint compares it: without its schema, and with its
   * case kept, since Convoy quotes the names it is given (names read from SQL are folded as
   * PostgreSQL folds them when they are read, see {@link SqlToken#name()}).
   */
  static String key(String name) {
    int dot = name.indexOf('.');
    return dot > 0 && dot < name.length() - 1 ? name.substring(dot + 1) : name;
  }
}
