package dev.convoy.agent.engine;

import dev.convoy.agent.db.BackendPid;
import dev.convoy.agent.db.PgSession;
import dev.convoy.migration.Migration;
import dev.convoy.ops.BackfillStep;
import dev.convoy.ops.Sql;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.util.ArrayList;
import java.util.List;

/**
 * One worker's share of a backfill: a range of the key (or of the table's pages) walked in batches,
 * each one statement that updates the batch's rows and advances this walk's cursor row in {@code
 * progress} together. A crash loses at most the batch in flight (rolled back); the rerun resumes
 * after the last committed one.
 *
 * <p>A key range is bounded on the key's first column: from {@code from} (inclusive) to {@code to}
 * (exclusive), either open. A page range runs from the cursor's page to its {@code max_page}.
 */
final class BackfillWalk {
  /** A column of the key the batches walk, with its SQL type for the cursor's literals. */
  record KeyColumn(String name, String type) {}

  private final Migration m;
  private final int group;
  private final String phase;
  private final BackfillStep step;
  private final String table;
  private final String progressTable;
  private final List<KeyColumn> key;
  private JsonObject cursor;

  /**
   * {@code phase} names this walk's cursor row ({@code up} when it is the only walk); {@code key}
   * is empty for a walk over pages.
   */
  BackfillWalk(
      Migration m,
      int group,
      String phase,
      BackfillStep step,
      String progressTable,
      List<KeyColumn> key,
      JsonObject cursor) {
    this.m = m;
    this.group = group;
    this.phase = phase;
    this.step = step;
    this.table = Sql.name(step.table());
    this.progressTable = progressTable;
    this.key = key;
    this.cursor = cursor;
  }

  String phase() {
    return phase;
  }

  boolean done() {
    return cursor.getBoolean("done", false);
  }

  /** What one batch did: rows updated, and whether the walk reached the end of its range. */
  record Batch(long updated, boolean finished) {}

  /**
   * Runs one batch of up to {@code size} rows on {@code db}, in a transaction that {@code guard}
   * checks first (the fence and the command's ledger row, in distributed mode).
   */
  Batch next(PgSession db, LockRetry retry, WorkGuard guard, int size) {
    String sql = key.isEmpty() ? pageBatch(size) : keyBatch(size);
    Row r =
        retry.run(
            "backfill of " + step.table(),
            BackendPid.of(db),
            () -> guard.query(db, sql).iterator().next());
    long scanned = r.getLong("scanned");
    if (r.getJsonObject("cursor") != null) {
      cursor = r.getJsonObject("cursor");
    }
    boolean finished =
        key.isEmpty() ? cursor.getLong("page") >= cursor.getLong("max_page") : scanned < size;
    if (finished) {
      guard.query(db, doneSql(progressTable, m, group, phase));
      cursor = cursor.copy().put("done", true);
    }
    return new Batch(r.getLong("updated"), finished);
  }

  /** Marks the {@code progress} row of {@code phase} done. */
  static String doneSql(String progressTable, Migration m, int group, String phase) {
    return "UPDATE "
        + progressTable
        + " SET cursor = cursor || '{\"done\": true}'::jsonb, updated_at = now()"
        + " WHERE revision = "
        + Sql.literal(m.revision())
        + " AND op_index = "
        + group
        + " AND phase = "
        + Sql.literal(phase);
  }

  private String progressUpdate(String cursorExpr) {
    return "prog AS (UPDATE "
        + progressTable
        + " SET cursor = cursor || "
        + cursorExpr
        + ", rows_done = rows_done + (SELECT count(*) FROM upd), updated_at = now()"
        + " WHERE revision = "
        + Sql.literal(m.revision())
        + " AND op_index = "
        + group
        + " AND phase = "
        + Sql.literal(phase)
        + " RETURNING cursor)";
  }

  private String sets() {
    List<String> sets = new ArrayList<>();
    step.set().forEach((col, expr) -> sets.add(Sql.ident(col) + " = " + expr));
    return String.join(", ", sets);
  }

  /** The walk's range on the key's first column, as conditions (empty when unbounded). */
  private List<String> range() {
    List<String> out = new ArrayList<>();
    String first = Sql.ident(key.get(0).name());
    String type = key.get(0).type();
    String from = cursor.getString("from");
    String to = cursor.getString("to");
    if (from != null && cursor.getJsonArray("after") == null) {
      out.add(first + " >= " + Sql.literal(from) + "::" + type);
    }
    if (to != null) {
      out.add(first + " < " + Sql.literal(to) + "::" + type);
    }
    return out;
  }

  /**
   * One keyset batch as a range: the batch's upper bound is the n-th key after the cursor (an
   * index-only lookup), then a single UPDATE over the key range walks the index in order, which is
   * as fast per row as one big UPDATE. When fewer than n keys remain the bound is the last key and
   * the batch is the last one.
   */
  private String keyBatch(int batch) {
    List<String> cols = new ArrayList<>();
    List<String> desc = new ArrayList<>();
    List<String> bound = new ArrayList<>();
    List<String> asText = new ArrayList<>();
    for (KeyColumn k : key) {
      String c = Sql.ident(k.name());
      cols.add(c);
      desc.add(c + " DESC");
      bound.add("b." + c);
      asText.add("b." + c + "::text");
    }
    String row = "(" + String.join(", ", cols) + ")";
    List<String> conds = range();
    JsonArray after = cursor.getJsonArray("after");
    if (after != null) {
      List<String> lits = new ArrayList<>();
      for (int i = 0; i < key.size(); i++) {
        lits.add(Sql.literal(after.getString(i)) + "::" + key.get(i).type());
      }
      conds.add(row + " > (" + String.join(", ", lits) + ")");
    }
    String lower = String.join(" AND ", conds);
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
        + sets()
        + " WHERE "
        + (lower.isEmpty() ? "" : lower + " AND ")
        + row
        + " <= (SELECT "
        + String.join(", ", bound)
        + " FROM b)"
        + (step.where() == null ? "" : " AND (" + step.where() + ")")
        + " RETURNING 1), "
        + progressUpdate(
            "coalesce((SELECT jsonb_build_object('after', jsonb_build_array("
                + String.join(", ", asText)
                + ")) FROM b), '{}'::jsonb)")
        + " SELECT CASE WHEN coalesce((SELECT last FROM b), true) THEN 0 ELSE "
        + batch
        + " END::bigint AS scanned, (SELECT count(*) FROM upd) AS updated,"
        + " (SELECT cursor FROM prog) AS cursor";
  }

  private String pageBatch(int batch) {
    long page = cursor.getLong("page", 0L);
    // Pages per batch from the rows a page held on average when the walk began; at least one.
    long perPage = Math.max(1, cursor.getLong("rows_per_page", 50L));
    long pages = Math.max(1, batch / perPage);
    long to = Math.min(page + pages, cursor.getLong("max_page"));
    return "WITH upd AS (UPDATE "
        + table
        + " SET "
        + sets()
        + " WHERE ctid >= '("
        + page
        + ",0)'::tid AND ctid < '("
        + to
        + ",0)'::tid"
        + (step.where() == null ? "" : " AND (" + step.where() + ")")
        + " RETURNING 1), "
        + progressUpdate("jsonb_build_object('page', " + to + ")")
        + " SELECT "
        + pages * perPage
        + "::bigint AS scanned, (SELECT count(*) FROM upd) AS updated, (SELECT cursor FROM prog) AS cursor";
  }
}
