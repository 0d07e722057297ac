package dev.convoy.agent.engine;

import dev.convoy.agent.db.PgSession;
import dev.convoy.migration.Migration;
import dev.convoy.ops.BackfillStep;
import dev.convoy.ops.Sql;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;

/**
 * Fills rows in short batches, each one statement that updates the batch's rows and advances the
 * cursor in {@code progress} together: a crash loses at most the batch in flight (rolled back) and
 * the rerun resumes after the last committed one.
 *
 * <p>Batches walk the primary key (composite keys compared as row values), else a unique index over
 * NOT NULL columns, else physical pages (ctid ranges, up to the table's size when the backfill
 * started, so rows moved by the backfill's own updates are not visited twice). Batch size adapts
 * towards a target batch time; an optional rows-per-second cap sleeps between batches.
 */
final class Backfiller {
  private final Vertx vertx;
  private final PgSession db;
  private final String progressTable;
  private final LockRetry retry;
  private final BackfillSettings settings;
  private final MigrationListener listener;

  Backfiller(
      Vertx vertx,
      PgSession db,
      String schema,
      LockRetry retry,
      BackfillSettings settings,
      MigrationListener listener) {
    this.vertx = vertx;
    this.db = db;
    this.progressTable = Sql.ident(schema) + ".progress";
    this.retry = retry;
    this.settings = settings;
    this.listener = listener;
  }

  /** A column of the key the batches walk, with its SQL type for the cursor's literals. */
  private record KeyColumn(String name, String type) {}

  void run(Migration m, int group, BackfillStep step) {
    String table = Sql.name(step.table());
    // The NOT NULL recipe's fill trigger covers rows that concurrent writes move behind the walk,
    // so it may walk pages in storage order; any other backfill walks a key.
    List<KeyColumn> key = step.physicalOrder() ? List.of() : key(table);
    JsonObject cursor = start(m, group, table, key.isEmpty());
    long done = cursor.getLong("rows_done", 0L);
    long total = cursor.getLong("estimate", 0L);
    int batch = settings.initialBatch();
    long t0 = System.nanoTime();
    long doneAtStart = done;
    while (!cursor.getBoolean("done", false)) {
      String sql =
          key.isEmpty()
              ? pageBatch(m, group, step, table, cursor, batch)
              : keyBatch(m, group, step, table, key, cursor, batch);
      long b0 = System.nanoTime();
      Row r =
          retry.run("backfill of " + step.table(), db.pid(), () -> db.query(sql).iterator().next());
      long tookNanos = Math.max(1, System.nanoTime() - b0);
      long scanned = r.getLong("scanned");
      done += r.getLong("updated");
      cursor = r.getJsonObject("cursor") == null ? cursor : r.getJsonObject("cursor");
      boolean finished =
          key.isEmpty() ? cursor.getLong("page") >= cursor.getLong("max_page") : scanned < batch;
      if (finished) {
        markDone(m, group);
        cursor = cursor.copy().put("done", true);
      }
      pace(done - doneAtStart, t0);
      double seconds = (System.nanoTime() - t0) / 1e9;
      double rate = seconds <= 0 ? 0 : (done - doneAtStart) / seconds;
      listener.backfill(
          m,
          new BackfillProgress(
              step.table(), done, finished ? done : Math.max(total, done), rate, batch, finished));
      batch = nextBatch(batch, tookNanos);
    }
  }

  /** Scales the batch towards the target time, at most doubling or halving per batch. */
  private int nextBatch(int batch, long tookNanos) {
    double factor = (settings.targetBatchTime().toNanos()) / (double) tookNanos;
    factor = Math.max(0.5, Math.min(2.0, factor));
    int next = (int) (batch * factor);
    return Math.max(BackfillSettings.MIN_BATCH, Math.min(BackfillSettings.MAX_BATCH, next));
  }

  private void pace(long rows, long t0) {
    if (settings.maxRowsPerSecond() <= 0) {
      return;
    }
    long dueNanos = (long) (rows * 1e9 / settings.maxRowsPerSecond());
    long aheadMs = (dueNanos - (System.nanoTime() - t0)) / 1_000_000;
    if (aheadMs > 0) {
      PgSession.await(vertx.timer(aheadMs));
    }
  }

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

  /** The saved cursor, or a new progress row with the planner's estimate of the table's rows. */
  private JsonObject start(Migration m, int group, String table, boolean byPage) {
    var rs =
        db.query(
            "SELECT cursor, rows_done FROM "
                + progressTable
                + " WHERE revision = $1 AND op_index = $2 AND phase = 'up'",
            Tuple.of(m.revision(), group));
    if (rs.iterator().hasNext()) {
      Row r = rs.iterator().next();
      JsonObject c =
          r.getJsonObject("cursor") == null ? new JsonObject() : r.getJsonObject("cursor");
      return c.copy().put("rows_done", r.getLong("rows_done"));
    }
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
    JsonObject c = new JsonObject().put("estimate", est.getLong("estimate"));
    if (byPage) {
      long pages = est.getLong("pages");
      c.put("page", 0L)
          .put("max_page", pages)
          .put("rows_per_page", Math.max(1, est.getLong("estimate") / Math.max(1, pages)));
    }
    db.query(
        "INSERT INTO "
            + progressTable
            + " (revision, op_index, phase, cursor, rows_done, rows_total)"
            + " VALUES ($1, $2, 'up', $3, 0, $4) ON CONFLICT DO NOTHING",
        Tuple.of(m.revision(), group, c, est.getLong("estimate")));
    return c.copy().put("rows_done", 0L);
  }

  private void markDone(Migration m, int group) {
    db.query(
        "UPDATE "
            + progressTable
            + " SET cursor = cursor || '{\"done\": true}'::jsonb, updated_at = now()"
            + " WHERE revision = $1 AND op_index = $2 AND phase = 'up'",
        Tuple.of(m.revision(), group));
  }

  private String progressUpdate(Migration m, int group, String cursorExpr) {
    return "prog AS (UPDATE "
        + progressTable
        + " SET cursor = cursor || "
        + cursorExpr
        + ", rows_done = rows_done + (SELECT count(*) FROM upd), updated_at = now()"
        + " WHERE revision = "
        + Sql.literal(m.revision())
        + " AND op_index = "
        + group
        + " AND phase = 'up' RETURNING cursor)";
  }

  private static String sets(BackfillStep step) {
    List<String> sets = new ArrayList<>();
    step.set().forEach((col, expr) -> sets.add(Sql.ident(col) + " = " + expr));
    return String.join(", ", sets);
  }

  /**
   * One keyset batch as a range: the batch's upper bound is the n-th key after the cursor (an
   * index-only lookup), then a single UPDATE over the key range walks the index in order, which is
   * as fast per row as one big UPDATE. When fewer than n keys remain the bound is the last key and
   * the batch is the last one.
   */
  private String keyBatch(
      Migration m,
      int group,
      BackfillStep step,
      String table,
      List<KeyColumn> key,
      JsonObject cursor,
      int batch) {
    List<String> cols = new ArrayList<>();
    List<String> desc = new ArrayList<>();
    List<String> bound = new ArrayList<>();
    List<String> asText = new ArrayList<>();
    for (int i = 0; i < key.size(); i++) {
      String c = Sql.ident(key.get(i).name());
      cols.add(c);
      desc.add(c + " DESC");
      bound.add("b." + c);
      asText.add("b." + c + "::text");
    }
    String row = "(" + String.join(", ", cols) + ")";
    String lower = "";
    JsonArray after = cursor.getJsonArray("after");
    if (after != null) {
      List<String> lits = new ArrayList<>();
      for (int i = 0; i < key.size(); i++) {
        lits.add(Sql.literal(after.getString(i)) + "::" + key.get(i).type());
      }
      lower = row + " > (" + String.join(", ", lits) + ")";
    }
    String from = " FROM " + table + (lower.isEmpty() ? "" : " WHERE " + lower);
    String keys = String.join(", ", cols);
    return "WITH b AS (SELECT * FROM ((SELECT "
        + keys
        + ", false AS last"
        + from
        + " ORDER BY "
        + keys
        + " OFFSET "
        + (batch - 1)
        + " LIMIT 1) UNION ALL (SELECT "
        + keys
        + ", true AS last"
        + from
        + " ORDER BY "
        + String.join(", ", desc)
        + " LIMIT 1)) x LIMIT 1),"
        + " upd AS (UPDATE "
        + table
        + " SET "
        + sets(step)
        + " WHERE "
        + (lower.isEmpty() ? "" : lower + " AND ")
        + row
        + " <= (SELECT "
        + String.join(", ", bound)
        + " FROM b)"
        + (step.where() == null ? "" : " AND (" + step.where() + ")")
        + " RETURNING 1), "
        + progressUpdate(
            m,
            group,
            "coalesce((SELECT jsonb_build_object('after', jsonb_build_array("
                + String.join(", ", asText)
                + ")) FROM b), '{}'::jsonb)")
        + " SELECT CASE WHEN coalesce((SELECT last FROM b), true) THEN 0 ELSE "
        + batch
        + " END::bigint AS scanned, (SELECT count(*) FROM upd) AS updated,"
        + " (SELECT cursor FROM prog) AS cursor";
  }

  private String pageBatch(
      Migration m, int group, BackfillStep step, String table, JsonObject cursor, int batch) {
    long page = cursor.getLong("page", 0L);
    // Pages per batch from the rows a page held on average when the walk began; at least one.
    long perPage = Math.max(1, cursor.getLong("rows_per_page", 50L));
    long pages = Math.max(1, batch / perPage);
    long to = page + pages;
    return "WITH upd AS (UPDATE "
        + table
        + " SET "
        + sets(step)
        + " WHERE ctid >= '("
        + page
        + ",0)'::tid AND ctid < '("
        + to
        + ",0)'::tid"
        + (step.where() == null ? "" : " AND (" + step.where() + ")")
        + " RETURNING 1), "
        + progressUpdate(m, group, "jsonb_build_object('page', " + to + ")")
        + " SELECT "
        + pages * perPage
        + "::bigint AS scanned, (SELECT count(*) FROM upd) AS updated, (SELECT cursor FROM prog) AS cursor";
  }
}
