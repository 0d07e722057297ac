package dev.convoy.agent.engine;

import dev.convoy.agent.db.PgSession;
import dev.convoy.agent.engine.BackfillWalk.KeyColumn;
import dev.convoy.migration.Migration;
import dev.convoy.ops.BackfillStep;
import dev.convoy.ops.Sql;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides how a backfill walks its table, and remembers it: which key (or pages), how many ranges,
 * where they are cut. A new backfill's split is saved in {@code progress} in one transaction: the
 * {@code up} row records it (and, with one range, is that range's cursor), and each range of a
 * split backfill has its own cursor row ({@code up#1}, {@code up#2}, ...), so workers never contend
 * for one row and a resumed backfill walks the same ranges.
 */
final class BackfillPlanner {
  /** Below this many rows per worker, more workers are not worth their connections. */
  static final long MIN_ROWS_PER_WORKER = 20_000;

  private final PgSession db;
  private final String progressTable;
  private final int maxWorkers;
  private final WorkGuard guard;

  BackfillPlanner(PgSession db, String progressTable, int maxWorkers, WorkGuard guard) {
    this.db = db;
    this.progressTable = progressTable;
    this.maxWorkers = maxWorkers;
    this.guard = guard;
  }

  /** The key the batches walk: primary key, else a unique index over NOT NULL columns. */
  private List<KeyColumn> key(String table) {
    String cols =
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS type FROM pg_index i"
            + " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)"
            + " WHERE i.indexrelid::bigint = $1 ORDER BY array_position(i.indkey::int2[], a.attnum)";
    var candidates =
        db.query(
            "SELECT i.indexrelid::bigint FROM pg_index i WHERE i.indrelid = to_regclass($1) AND i.indisvalid"
                + " AND (i.indisprimary OR (i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL"
                + " AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = i.indrelid"
                + " AND a.attnum = ANY (i.indkey) AND NOT a.attnotnull)))"
                + " ORDER BY i.indisprimary DESC, i.indnatts, i.indexrelid LIMIT 1",
            Tuple.of(table));
    List<KeyColumn> out = new ArrayList<>();
    if (!candidates.iterator().hasNext()) {
      return out;
    }
    long index = candidates.iterator().next().getLong(0);
    for (Row r : db.query(cols, Tuple.of(index))) {
      out.add(new KeyColumn(r.getString(0), r.getString(1)));
    }
    return out;
  }

  /** The backfill's walks as saved, or a new split; {@code done} when it had already finished. */
  record Plan(boolean done, long estimate, long rowsDone, List<BackfillWalk> walks) {}

  Plan plan(Migration m, int group, BackfillStep step) {
    String table = Sql.name(step.table());
    // The NOT NULL recipe's fill trigger covers rows that concurrent writes move behind the walk,
    // so it may walk pages in storage order; any other backfill walks a key.
    List<KeyColumn> key = step.physicalOrder() ? List.of() : key(table);
    var saved =
        db.query(
            "SELECT phase, cursor, rows_done, rows_total FROM "
                + progressTable
                + " WHERE revision = $1 AND op_index = $2 AND (phase = 'up' OR phase LIKE 'up#%')"
                + " ORDER BY phase",
            Tuple.of(m.revision(), group));
    JsonObject main = null;
    long estimate = 0;
    long rowsDone = 0;
    List<BackfillWalk> walks = new ArrayList<>();
    for (Row r : saved) {
      JsonObject c =
          r.getJsonObject("cursor") == null ? new JsonObject() : r.getJsonObject("cursor");
      String phase = r.getString("phase");
      if (phase.equals("up")) {
        main = c;
        estimate =
            c.getLong("estimate", r.getLong("rows_total") == null ? 0 : r.getLong("rows_total"));
      }
      // The up row is also the only walk's cursor, unless the backfill was split.
      if (!phase.equals("up") || c.getInteger("workers", 1) == 1) {
        rowsDone += r.getLong("rows_done");
        walks.add(new BackfillWalk(m, group, phase, step, progressTable, key, c));
      }
    }
    if (main != null) {
      return new Plan(main.getBoolean("done", false), estimate, rowsDone, walks);
    }
    return split(m, group, step, table, key);
  }

  /** Splits a new backfill into ranges and saves them with its estimate, in one transaction. */
  private Plan split(Migration m, int group, BackfillStep step, String table, List<KeyColumn> key) {
    Row est =
        db.query(
                "SELECT CASE WHEN c.reltuples > 0 THEN c.reltuples::bigint"
                    // Never analyzed: count, unless the table is too big to count quickly.
                    + " WHEN c.relpages < 20000 THEN (SELECT count(*) FROM "
                    + table
                    + ") ELSE 0 END AS estimate,"
                    + " (pg_relation_size(c.oid) / current_setting('block_size')::int) AS pages"
                    + " FROM pg_class c WHERE c.oid = to_regclass($1)",
                Tuple.of(table))
            .iterator()
            .next();
    long estimate = est.getLong("estimate");
    long pages = est.getLong("pages");
    int workers = (int) Math.max(1, Math.min(maxWorkers, estimate / MIN_ROWS_PER_WORKER));
    List<JsonObject> ranges = new ArrayList<>();
    if (key.isEmpty()) {
      long perPage = Math.max(1, estimate / Math.max(1, pages));
      for (int i = 0; i < workers; i++) {
        ranges.add(
            new JsonObject()
                .put("page", pages * i / workers)
                .put("max_page", pages * (i + 1) / workers)
                .put("rows_per_page", perPage));
      }
    } else {
      List<String> splits = workers > 1 ? splitPoints(table, key.get(0), workers) : List.of();
      for (int i = 0; i <= splits.size(); i++) {
        ranges.add(
            new JsonObject()
                .put("from", i == 0 ? null : splits.get(i - 1))
                .put("to", i == splits.size() ? null : splits.get(i)));
      }
    }
    List<String> sqls = new ArrayList<>();
    sqls.add("BEGIN");
    JsonObject main = new JsonObject().put("estimate", estimate);
    List<BackfillWalk> walks = new ArrayList<>();
    if (ranges.size() == 1) {
      main.mergeIn(ranges.get(0));
      walks.add(new BackfillWalk(m, group, "up", step, progressTable, key, main));
    } else {
      main.put("workers", ranges.size());
      for (int i = 0; i < ranges.size(); i++) {
        String phase = "up#" + (i + 1);
        sqls.add(insertProgress(m, group, phase, ranges.get(i), estimate));
        walks.add(new BackfillWalk(m, group, phase, step, progressTable, key, ranges.get(i)));
      }
    }
    sqls.add(1, insertProgress(m, group, "up", main, estimate));
    sqls.add("COMMIT");
    var failed = db.pipeline(sqls);
    if (failed.isPresent()) {
      throw failed.get().error();
    }
    return new Plan(false, estimate, 0, walks);
  }

  private String insertProgress(
      Migration m, int group, String phase, JsonObject cursor, long estimate) {
    return "INSERT INTO "
        + progressTable
        + " (revision, op_index, phase, cursor, rows_done, rows_total) VALUES ("
        + Sql.literal(m.revision())
        + ", "
        + group
        + ", "
        + Sql.literal(phase)
        + ", "
        + Sql.literal(cursor.encode())
        + "::jsonb, 0, "
        + estimate
        + ") ON CONFLICT DO NOTHING";
  }

  /**
   * Values of the key's first column that cut the table into {@code workers} ranges of about equal
   * rows: from the planner's histogram of the column, else (never analyzed) evenly between the
   * smallest and largest value of an integer key; empty when neither is known.
   */
  private List<String> splitPoints(String table, KeyColumn first, int workers) {
    String col = Sql.ident(first.name());
    String type = first.type();
    List<String> out = new ArrayList<>();
    try {
      var rs =
          db.query(
              "WITH h AS (SELECT s.histogram_bounds::text::"
                  + type
                  + "[] AS b FROM pg_stats s JOIN pg_class c ON c.relname = s.tablename"
                  + " JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = s.schemaname"
                  + " WHERE c.oid = to_regclass($1) AND s.attname = $2 AND s.histogram_bounds IS NOT NULL"
                  + " ORDER BY s.inherited LIMIT 1)"
                  // In histogram order, which is the column's own collation; duplicates go below.
                  + " SELECT b[1 + (g * (array_length(b, 1) - 1)) / $3]::text FROM h,"
                  + " generate_series(1, $3 - 1) g WHERE b[1 + (g * (array_length(b, 1) - 1)) / $3]"
                  + " IS NOT NULL ORDER BY g",
              Tuple.of(table, first.name(), workers));
      for (Row r : rs) {
        out.add(r.getString(0));
      }
      if (out.isEmpty() && List.of("smallint", "integer", "bigint").contains(type)) {
        rs =
            db.query(
                "SELECT s::text FROM (SELECT DISTINCT floor(lo + (hi - lo) * g / $1) AS s FROM (SELECT min("
                    + col
                    + ")::numeric AS lo, max("
                    + col
                    + ")::numeric AS hi FROM "
                    + table
                    + ") x, generate_series(1, $1 - 1) g WHERE hi > lo) y ORDER BY y.s",
                Tuple.of(workers));
        for (Row r : rs) {
          out.add(r.getString(0));
        }
      }
    } catch (RuntimeException e) {
      // No usable statistics for this type: one walk over the whole key.
      return List.of();
    }
    return out.stream().distinct().toList();
  }

  /** Marks the whole backfill done, after every walk finished. */
  void markDone(Migration m, int group) {
    guard.query(db, BackfillWalk.doneSql(progressTable, m, group, "up"));
  }
}
