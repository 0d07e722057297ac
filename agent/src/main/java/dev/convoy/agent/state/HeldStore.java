package dev.convoy.agent.state;

import dev.convoy.agent.db.TextSession;
import dev.convoy.ops.Sql;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code held} state table: what contracts kept for the revert window instead of dropping it (a
 * column or a table, renamed out of the way), one row per revision and operation, written in the
 * same transaction as the rename (see {@code dev.convoy.ops.HeldSql}). A downgrade inside the
 * window brings the copy back and deletes the row; {@code convoy purge} drops the copy and marks
 * the row purged, so a later downgrade can say why the data is not coming back.
 */
public final class HeldStore {
  /**
   * Above this many rows (the planner's estimate), a held column's size is estimated, not summed.
   */
  static final long SCAN_LIMIT = 1_000_000;

  private final String q;

  public HeldStore(String schema) {
    this.q = Sql.ident(schema);
  }

  /** The table's DDL, idempotent; {@code q} is the quoted state schema. */
  public static String ddl(String q) {
    return "CREATE TABLE IF NOT EXISTS "
        + q
        + ".held (revision text NOT NULL, op_index integer NOT NULL,"
        + " kind text NOT NULL CHECK (kind IN ('column', 'table', 'type')), table_name text NOT NULL,"
        + " column_name text, held_name text NOT NULL, held_at timestamptz NOT NULL,"
        + " expires_at timestamptz NOT NULL, purged_at timestamptz, why text,"
        + " not_null boolean NOT NULL DEFAULT false, keep jsonb NOT NULL DEFAULT '[]',"
        + " PRIMARY KEY (revision, op_index))";
  }

  /**
   * One held copy. {@code column} is null for a table; {@code purgedAt} null while it is kept;
   * {@code why}, when set, says why it was not kept after all (dropped at once).
   */
  public record Held(
      String revision,
      int opIndex,
      String kind,
      String table,
      String column,
      String heldName,
      Instant heldAt,
      Instant expiresAt,
      Instant purgedAt,
      boolean notNull,
      String why) {
    public boolean isTable() {
      return "table".equals(kind);
    }

    /** The old column of a type change, kept current from the new one. */
    public boolean isTypeChange() {
      return "type".equals(kind);
    }

    /** {@code table.column}, or the table. */
    public String what() {
      return isTable() ? table : table + "." + column;
    }

    public boolean expiredAt(Instant now) {
      return !now.isBefore(expiresAt);
    }
  }

  private static final String COLUMNS =
      "revision, op_index::text, kind, table_name, column_name, held_name,"
          + " (extract(epoch FROM held_at) * 1000)::bigint::text,"
          + " (extract(epoch FROM expires_at) * 1000)::bigint::text,"
          + " (extract(epoch FROM purged_at) * 1000)::bigint::text, not_null::text, why";

  /** Every row (held and purged), oldest first; empty when there is no state. */
  public List<Held> all(TextSession db) {
    return select(db, "TRUE");
  }

  /** The rows of one revision. */
  public List<Held> of(TextSession db, String revision) {
    return select(db, "revision = " + Sql.literal(revision));
  }

  private List<Held> select(TextSession db, String where) {
    List<Held> out = new ArrayList<>();
    if (db.value("SELECT to_regclass(" + Sql.literal(q + ".held") + ")::text") == null) {
      return out;
    }
    for (String[] r :
        db.rows(
            "SELECT "
                + COLUMNS
                + " FROM "
                + q
                + ".held WHERE "
                + where
                + " ORDER BY held_at, revision, op_index")) {
      out.add(
          new Held(
              r[0],
              Integer.parseInt(r[1]),
              r[2],
              r[3],
              r[4],
              r[5],
              Instant.ofEpochMilli(Long.parseLong(r[6])),
              Instant.ofEpochMilli(Long.parseLong(r[7])),
              r[8] == null ? null : Instant.ofEpochMilli(Long.parseLong(r[8])),
              Boolean.parseBoolean(r[9]),
              r[10]));
    }
    return out;
  }

  /** How much a held copy takes, and whether that was measured or estimated. */
  public record Size(long bytes, boolean estimated) {}

  /**
   * A held table: {@code pg_total_relation_size} (exact, no scan). A held column: the sum of {@code
   * pg_column_size} over the table when it has at most {@link #SCAN_LIMIT} rows, else the planner's
   * row estimate times the column's average width from {@code pg_stats} (no scan; 0 until the table
   * was analyzed).
   */
  public Size size(TextSession db, Held h) {
    if (h.purgedAt() != null) {
      return new Size(0, false);
    }
    if (h.isTable()) {
      String held = heldRelation(h);
      String v = db.value("SELECT pg_total_relation_size(to_regclass(" + Sql.literal(held) + "))");
      return new Size(v == null ? 0 : Long.parseLong(v), false);
    }
    String t = Sql.literal(Sql.name(h.table()));
    String rows =
        db.value(
            "SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = to_regclass("
                + t
                + ")");
    if (rows == null) {
      return new Size(0, false);
    }
    if (Long.parseLong(rows) <= SCAN_LIMIT) {
      String v =
          db.value(
              "SELECT coalesce(sum(pg_column_size("
                  + Sql.ident(h.heldName())
                  + ")), 0) FROM "
                  + Sql.name(h.table()));
      return new Size(Long.parseLong(v), false);
    }
    String v =
        db.value(
            "SELECT coalesce((SELECT s.avg_width::bigint * "
                + rows
                + " FROM pg_stats s JOIN pg_class c ON c.relname = s.tablename"
                + " JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = s.schemaname"
                + " WHERE c.oid = to_regclass("
                + t
                + ") AND s.attname = "
                + Sql.literal(h.heldName())
                + " LIMIT 1), 0)");
    return new Size(Long.parseLong(v), true);
  }

  /** The held table's qualified name, quoted. */
  static String heldRelation(Held h) {
    String schema = Sql.schemaOf(h.table());
    return schema == null
        ? Sql.ident(h.heldName())
        : Sql.ident(schema) + "." + Sql.ident(h.heldName());
  }
}
