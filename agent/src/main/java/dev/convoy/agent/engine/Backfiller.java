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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Fills rows in short batches (see {@link BackfillWalk}), walking the primary key (composite keys
 * compared as row values), else a unique index over NOT NULL columns, else physical pages (ctid
 * ranges, up to the table's size when the backfill started, so rows moved by the backfill's own
 * updates are not visited twice). Batch size adapts towards a target batch time; an optional
 * rows-per-second cap sleeps between batches.
 *
 * <p>A big table is split into ranges walked by several workers at once, each on its own connection
 * with its own cursor row ({@code up#1}, {@code up#2}, ..., next to the backfill's {@code up} row
 * that records the split): one backend updates about 300,000 rows a second, and a second one on
 * another core nearly doubles that. The split is kept, so a resumed backfill walks the same ranges.
 */
final class Backfiller {
  /** Below this many rows per worker, more workers are not worth their connections. */
  static final long MIN_ROWS_PER_WORKER = 20_000;

  private final PgSession db;
  private final Supplier<PgSession> connect;
  private final String progressTable;
  private final LockRetry retry;
  private final BackfillSettings settings;
  private final MigrationListener listener;

  /** {@code connect} opens another connection, set up like {@code db}, for each extra worker. */
  Backfiller(
      PgSession db,
      Supplier<PgSession> connect,
      String schema,
      LockRetry retry,
      BackfillSettings settings,
      MigrationListener listener) {
    this.db = db;
    this.connect = connect;
    this.progressTable = Sql.ident(schema) + ".progress";
    this.retry = retry;
    this.settings = settings;
    this.listener = listener;
  }

  void run(Migration m, int group, BackfillStep step) {
    String table = Sql.name(step.table());
    // The NOT NULL recipe's fill trigger covers rows that concurrent writes move behind the walk,
    // so it may walk pages in storage order; any other backfill walks a key.
    List<KeyColumn> key = step.physicalOrder() ? List.of() : key(table);
    Plan plan = plan(m, group, step, table, key);
    if (plan.done()) {
      return;
    }
    Progress progress = new Progress(m, step.table(), plan.estimate(), plan.rowsDone());
    List<BackfillWalk> walks = plan.walks().stream().filter(w -> !w.done()).toList();
    long cap =
        settings.maxRowsPerSecond() <= 0
            ? 0
            : Math.max(
                1, (settings.maxRowsPerSecond() + walks.size() - 1) / Math.max(1, walks.size()));
    if (walks.size() <= 1) {
      for (BackfillWalk w : walks) {
        walk(w, db, cap, progress, new AtomicBoolean());
      }
    } else {
      parallel(walks, cap, progress);
    }
    markDone(m, group);
    progress.finish();
  }

  /**
   * Walks {@code walks[0]} here on {@code db} and each other on a thread and connection of its own.
   */
  private void parallel(List<BackfillWalk> walks, long cap, Progress progress) {
    AtomicBoolean stop = new AtomicBoolean();
    List<CompletableFuture<Boolean>> others = new ArrayList<>();
    for (int i = 1; i < walks.size(); i++) {
      BackfillWalk w = walks.get(i);
      others.add(
          Background.async(
              "convoy-backfill-" + w.phase(),
              () -> {
                PgSession own;
                try {
                  own = connect.get();
                } catch (RuntimeException e) {
                  // No connection to spare (max_connections, a pooler's limit): this range is
                  // walked on the main connection once its own range is done.
                  return false;
                }
                try (own) {
                  walk(w, own, cap, progress, stop);
                  Migrator.flush(own.text());
                } catch (RuntimeException | Error e) {
                  stop.set(true);
                  throw e;
                }
                return true;
              }));
    }
    Throwable first = null;
    try {
      walk(walks.get(0), db, cap, progress, stop);
    } catch (RuntimeException | Error e) {
      stop.set(true);
      first = e;
    }
    // Every worker is waited for, whatever failed: none may still write once the revision is
    // undone.
    for (int i = 0; i < others.size(); i++) {
      try {
        if (!Background.join(others.get(i)) && first == null) {
          walk(walks.get(i + 1), db, cap, progress, stop);
        }
      } catch (RuntimeException | Error e) {
        stop.set(true);
        first = first == null ? e : first;
      }
    }
    if (first instanceof RuntimeException r) {
      throw r;
    }
    if (first instanceof Error e) {
      throw e;
    }
  }

  private void walk(BackfillWalk w, PgSession on, long cap, Progress progress, AtomicBoolean stop) {
    int batch = settings.initialBatch();
    long t0 = System.nanoTime();
    long rows = 0;
    while (!w.done() && !stop.get()) {
      long b0 = System.nanoTime();
      BackfillWalk.Batch b = w.next(on, retry, batch);
      long took = Math.max(1, System.nanoTime() - b0);
      rows += b.updated();
      progress.add(b.updated(), batch);
      pace(cap, rows, t0);
      batch = nextBatch(batch, took);
    }
  }

  /** Scales the batch towards the target time, at most doubling or halving per batch. */
  private int nextBatch(int batch, long tookNanos) {
    double factor = (settings.targetBatchTime().toNanos()) / (double) tookNanos;
    factor = Math.max(0.5, Math.min(2.0, factor));
    int next = (int) (batch * factor);
    return Math.max(BackfillSettings.MIN_BATCH, Math.min(BackfillSettings.MAX_BATCH, next));
  }

  private static void pace(long maxRowsPerSecond, long rows, long t0) {
    if (maxRowsPerSecond <= 0) {
      return;
    }
    long dueNanos = (long) (rows * 1e9 / maxRowsPerSecond);
    long aheadMs = (dueNanos - (System.nanoTime() - t0)) / 1_000_000;
    if (aheadMs > 0) {
      try {
        Thread.sleep(aheadMs);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while pacing a backfill", e);
      }
    }
  }

  /** Rows done across the walks, reported to the listener one batch at a time. */
  private final class Progress {
    private final Migration m;
    private final String table;
    private final long estimate;
    private final long doneAtStart;
    private final long t0 = System.nanoTime();
    private long done;
    private int lastBatch;

    Progress(Migration m, String table, long estimate, long doneAtStart) {
      this.m = m;
      this.table = table;
      this.estimate = estimate;
      this.doneAtStart = doneAtStart;
      this.done = doneAtStart;
    }

    synchronized void add(long rows, int batch) {
      done += rows;
      lastBatch = batch;
      listener.backfill(
          m, new BackfillProgress(table, done, Math.max(estimate, done), rate(), batch, false));
    }

    synchronized void finish() {
      listener.backfill(m, new BackfillProgress(table, done, done, rate(), lastBatch, true));
    }

    private double rate() {
      double seconds = (System.nanoTime() - t0) / 1e9;
      return seconds <= 0 ? 0 : (done - doneAtStart) / seconds;
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

  /** The backfill's walks as saved, or a new split; {@code done} when it had already finished. */
  private record Plan(boolean done, long estimate, long rowsDone, List<BackfillWalk> walks) {}

  private Plan plan(Migration m, int group, BackfillStep step, String table, List<KeyColumn> key) {
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
    int workers = (int) Math.max(1, Math.min(settings.workers(), estimate / MIN_ROWS_PER_WORKER));
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

  private void markDone(Migration m, int group) {
    db.query(
        "UPDATE "
            + progressTable
            + " SET cursor = cursor || '{\"done\": true}'::jsonb, updated_at = now()"
            + " WHERE revision = $1 AND op_index = $2 AND phase = 'up'",
        Tuple.of(m.revision(), group));
  }
}
