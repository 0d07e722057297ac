package dev.convoy.cli;

import dev.convoy.agent.db.DatabaseUrl;
import dev.convoy.agent.db.JdbcSession;
import dev.convoy.agent.db.TextSession;
import dev.convoy.lint.LintCatalog;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code convoy lint --url} learns from the database: each table's row estimate ({@code
 * pg_class.reltuples}, kept current by autovacuum and ANALYZE; no table is counted; for a table
 * never analysed, its size in pages times the rows a page holds at its columns' widths, as the
 * planner estimates it) and its indexes' columns, so findings on big tables are raised and foreign
 * keys on existing tables are checked against the indexes they really have.
 */
final class LintCatalogReader {
  private static final String USER_TABLES =
      " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p')"
          + " AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
          + " AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname <> ";

  private LintCatalogReader() {}

  static LintCatalog read(DatabaseUrl url, String stateSchema, long bigTable) {
    String notState = dev.convoy.ops.Sql.literal(stateSchema);
    Map<String, Long> rows = new HashMap<>();
    Map<String, List<List<String>>> indexes = new HashMap<>();
    try (TextSession db = JdbcSession.open(url, "convoy lint")) {
      for (String[] r :
          db.rows(
              "SELECT c.relname, (CASE WHEN c.reltuples >= 0 THEN c.reltuples ELSE"
                  + " pg_relation_size(c.oid) / current_setting('block_size')::numeric"
                  + " * floor((current_setting('block_size')::int - 24) / (28 + coalesce((SELECT"
                  + " sum(CASE WHEN a.attlen > 0 THEN a.attlen ELSE 32 END) FROM pg_attribute a"
                  + " WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), 0)))"
                  + " END)::bigint::text FROM pg_class c"
                  + USER_TABLES
                  + notState)) {
        rows.merge(r[0], Long.parseLong(r[1]), Math::max);
      }
      for (String[] r :
          db.rows(
              "SELECT c.relname, array_to_string(ARRAY(SELECT pg_get_indexdef(i.indexrelid, k,"
                  + " true) FROM generate_series(1, i.indnkeyatts) k ORDER BY k), chr(31))"
                  + " FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid"
                  + USER_TABLES
                  + notState)) {
        List<String> cols = new ArrayList<>();
        for (String c : r[1].split("\u001f")) {
          cols.add(unquoted(c));
        }
        indexes.computeIfAbsent(r[0], t -> new ArrayList<>()).add(cols);
      }
    }
    return new LintCatalog(rows, indexes, bigTable);
  }

  /**
   * A column as pg_get_indexdef writes it, as PostgreSQL stores its name: quoted when it must be
   * ({@code "Mixed"}), else already in lower case; an expression stays as written and matches no
   * column.
   */
  static String unquoted(String col) {
    if (col.length() > 1 && col.startsWith("\"") && col.endsWith("\"")) {
      return col.substring(1, col.length() - 1).replace("\"\"", "\"");
    }
    return col;
  }
}
