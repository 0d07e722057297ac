package dev.convoy.agent.state;

import dev.convoy.agent.db.PgSession;
import dev.convoy.agent.db.TextSession;
import dev.convoy.ops.Sql;
import io.vertx.sqlclient.Row;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Convoy's own tables in a target database (schema {@code convoy} by default): {@code version}
 * holds the applied heads (one row per head, as alembic_version), {@code history} every apply,
 * rollback and stamp, {@code progress} resumable cursors, {@code fence} the highest coordinator
 * epoch seen, {@code ledger} every coordinator command executed here and its outcome, {@code held}
 * what contracts keep for the revert window ({@link HeldStore}). Created under the migration lock,
 * so concurrent first runs do not race.
 */
public final class StateStore {
  private final String schema;
  private final String q;

  public StateStore(String schema) {
    this.schema = schema;
    this.q = Sql.ident(schema);
  }

  public String schema() {
    return schema;
  }

  /** The DDL that creates the state tables; idempotent. */
  public String ddl() {
    return String.join(
        ";\n",
        "CREATE SCHEMA IF NOT EXISTS " + q,
        "CREATE TABLE IF NOT EXISTS "
            + q
            + ".version (revision text PRIMARY KEY, phase text NOT NULL DEFAULT 'applied',"
            + " updated_at timestamptz NOT NULL DEFAULT now())",
        "CREATE TABLE IF NOT EXISTS "
            + q
            + ".history (id bigserial PRIMARY KEY, revision text NOT NULL, direction text NOT NULL,"
            + " phase text, checksum text, file text, message text,"
            + " started_at timestamptz NOT NULL, finished_at timestamptz, duration_ms bigint,"
            + " success boolean NOT NULL, error text, host text, pid integer, agent_id text,"
            + " epoch bigint, plan_id text)",
        "CREATE INDEX IF NOT EXISTS history_revision ON " + q + ".history (revision, id)",
        "CREATE TABLE IF NOT EXISTS "
            + q
            + ".progress (revision text NOT NULL, op_index integer NOT NULL, phase text NOT NULL,"
            + " cursor jsonb, rows_done bigint NOT NULL DEFAULT 0, rows_total bigint,"
            + " updated_at timestamptz NOT NULL DEFAULT now(),"
            + " PRIMARY KEY (revision, op_index, phase))",
        "CREATE TABLE IF NOT EXISTS "
            + q
            + ".expanded (revision text PRIMARY KEY, expanded_at timestamptz NOT NULL DEFAULT now())",
        "CREATE TABLE IF NOT EXISTS "
            + q
            + ".fence (id integer PRIMARY KEY DEFAULT 1 CHECK (id = 1), epoch bigint NOT NULL,"
            + " updated_at timestamptz NOT NULL DEFAULT now())",
        // Every coordinator command this database executed, and how it ended: see CommandLedger.
        "CREATE TABLE IF NOT EXISTS "
            + q
            + ".ledger (plan text NOT NULL, step integer NOT NULL, epoch bigint NOT NULL,"
            + " env text NOT NULL, action text NOT NULL, target text NOT NULL, phase text NOT NULL,"
            + " issued_at timestamptz, state text NOT NULL CHECK (state IN ('running', 'succeeded',"
            + " 'failed', 'superseded')), heads text[] NOT NULL DEFAULT '{}', message text,"
            + " agent text, started_at timestamptz NOT NULL DEFAULT now(), finished_at timestamptz,"
            + " PRIMARY KEY (plan, step, epoch))",
        "CREATE INDEX IF NOT EXISTS ledger_running ON "
            + q
            + ".ledger (plan) WHERE state = 'running'",
        // Why a command failed, when that is a question rather than a break (data_loss); ledgers
        // made before it gain it here.
        "ALTER TABLE " + q + ".ledger ADD COLUMN IF NOT EXISTS code text",
        HeldStore.ddl(q));
  }

  /**
   * Creates what is missing (one query tells whether anything is); every statement is idempotent,
   * so older state gains new tables.
   */
  public void ensure(PgSession db) {
    ensure(db.text());
  }

  public void ensure(TextSession db) {
    if (!hasAll(db, "version", "history", "progress", "expanded", "fence", "ledger", "held")) {
      db.execute(ddl());
    }
  }

  /** True when Convoy's state is there (its oldest table, {@code version}). */
  public boolean exists(PgSession db) {
    return exists(db.text());
  }

  public boolean exists(TextSession db) {
    return has(db, "version");
  }

  private boolean has(PgSession db, String table) {
    return has(db.text(), table);
  }

  private boolean hasAll(TextSession db, String... tables) {
    List<String> checks = new ArrayList<>();
    for (String t : tables) {
      checks.add("to_regclass(" + Sql.literal(q + "." + t) + ") IS NOT NULL");
    }
    checks.add(
        "EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass("
            + Sql.literal(q + ".ledger")
            + ") AND attname = 'code' AND NOT attisdropped)");
    return "true".equals(db.value("SELECT (" + String.join(" AND ", checks) + ")::text"));
  }

  private boolean has(TextSession db, String table) {
    return "true"
        .equals(
            db.value(
                "SELECT (to_regclass(" + Sql.literal(q + "." + table) + ") IS NOT NULL)::text"));
  }

  /** The applied heads; empty when nothing (or no state) is there. */
  public List<String> heads(PgSession db) {
    return heads(db.text());
  }

  public List<String> heads(TextSession db) {
    if (!exists(db)) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (String[] r : db.rows("SELECT revision FROM " + q + ".version ORDER BY revision")) {
      out.add(r[0]);
    }
    return out;
  }

  /** Replaces the version rows by {@code heads}; run inside the revision's transaction. */
  public String setHeadsSql(Collection<String> heads) {
    StringBuilder sb = new StringBuilder("DELETE FROM " + q + ".version");
    if (!heads.isEmpty()) {
      sb.append(";\nINSERT INTO ").append(q).append(".version (revision) VALUES ");
      List<String> values = new ArrayList<>();
      for (String h : heads) {
        values.add("(" + Sql.literal(h) + ")");
      }
      sb.append(String.join(", ", values));
    }
    return sb.toString();
  }

  /**
   * A statement that fails (division by zero) unless the version table holds exactly {@code heads}:
   * the first statement of a pipelined revision, so it runs only if the revision before it
   * committed.
   */
  /**
   * Within a revision's transaction in distributed mode: fails unless no newer coordinator epoch
   * than {@code epoch} has been seen here, and records {@code epoch}. The row lock it takes orders
   * it against a newer coordinator's command on the same database.
   */
  public String fenceSql(long epoch) {
    return "INSERT INTO "
        + q
        + ".fence (id, epoch) VALUES (1, "
        + epoch
        + ") ON CONFLICT (id) DO UPDATE SET epoch = "
        + q
        + ".fence.epoch, updated_at = now();\n"
        + "DO $convoy$ BEGIN IF (SELECT epoch FROM "
        + q
        + ".fence WHERE id = 1) > "
        + epoch
        + " THEN RAISE EXCEPTION 'stale coordinator: epoch "
        + epoch
        + " is older than the one this database has seen' USING ERRCODE = '40001';"
        + " END IF; END $convoy$;\n"
        + "UPDATE "
        + q
        + ".fence SET epoch = GREATEST(epoch, "
        + epoch
        + "), updated_at = now() WHERE id = 1";
  }

  public String requireHeadsSql(Collection<String> heads) {
    List<String> lits = new ArrayList<>();
    for (String h : heads) {
      lits.add(Sql.literal(h));
    }
    String matching =
        heads.isEmpty()
            ? "0"
            : "count(*) FILTER (WHERE revision IN (" + String.join(", ", lits) + "))";
    return "SELECT 1 / (count(*) = "
        + heads.size()
        + " AND "
        + matching
        + " = "
        + heads.size()
        + ")::int FROM "
        + q
        + ".version";
  }

  /**
   * An INSERT of one history row, as SQL text (so it can share a simple-protocol round trip). An
   * entry without {@code startedAt} is timed by the server: from the transaction's start to the
   * moment the row is written.
   */
  public String historySql(HistoryEntry e) {
    return "INSERT INTO "
        + q
        + ".history (revision, direction, phase, checksum, file, message, started_at,"
        + " finished_at, duration_ms, success, error, host, pid, agent_id, epoch, plan_id) VALUES ("
        + String.join(
            ", ",
            Sql.literal(e.revision()),
            Sql.literal(e.direction()),
            Sql.literal(e.phase()),
            Sql.literal(e.checksum()),
            Sql.literal(e.file()),
            Sql.literal(e.message()),
            e.startedAt() == null
                ? "now()"
                : Sql.literal(e.startedAt().toString()) + "::timestamptz",
            e.startedAt() == null
                ? "clock_timestamp()"
                : e.finishedAt() == null
                    ? "NULL"
                    : Sql.literal(e.finishedAt().toString()) + "::timestamptz",
            e.startedAt() == null
                ? "round(extract(epoch FROM clock_timestamp() - now()) * 1000)::bigint"
                : e.durationMs() == null ? "NULL" : e.durationMs().toString(),
            Boolean.toString(e.success()),
            Sql.literal(e.error()),
            Sql.literal(e.who().host()),
            Long.toString(e.who().pid()),
            Sql.literal(e.who().agentId()),
            e.who().epoch() == null ? "NULL" : e.who().epoch().toString(),
            Sql.literal(e.who().planId()))
        + ")";
  }

  /** Revisions expanded but not yet contracted. */
  public java.util.Set<String> expanded(PgSession db) {
    return expanded(db.text());
  }

  public java.util.Set<String> expanded(TextSession db) {
    java.util.Set<String> out = new java.util.LinkedHashSet<>();
    if (!has(db, "expanded")) {
      return out;
    }
    for (String[] r :
        db.rows("SELECT revision FROM " + q + ".expanded ORDER BY expanded_at, revision")) {
      out.add(r[0]);
    }
    return out;
  }

  public String markExpandedSql(String revision) {
    return "INSERT INTO "
        + q
        + ".expanded (revision) VALUES ("
        + Sql.literal(revision)
        + ") ON CONFLICT DO NOTHING";
  }

  /** Forgets a revision's expanded state and resumable progress (it is applied or reverted). */
  public String clearSql(String revision) {
    return "DELETE FROM "
        + q
        + ".expanded WHERE revision = "
        + Sql.literal(revision)
        + ";\nDELETE FROM "
        + q
        + ".progress WHERE revision = "
        + Sql.literal(revision);
  }

  /** The checksum recorded for each revision by its latest successful apply or stamp. */
  public Map<String, String> recordedChecksums(PgSession db) {
    return recordedChecksums(db.text());
  }

  public Map<String, String> recordedChecksums(TextSession db) {
    Map<String, String> out = new HashMap<>();
    if (!exists(db)) {
      return out;
    }
    for (String[] r :
        db.rows(
            "SELECT DISTINCT ON (revision) revision, checksum FROM "
                + q
                + ".history WHERE success AND direction IN ('upgrade', 'stamp')"
                + " ORDER BY revision, id DESC")) {
      if (r[1] != null) {
        out.put(r[0], r[1]);
      }
    }
    return out;
  }

  /** The latest successful upgrade or stamp of each revision: when and how long. */
  public Map<String, Applied> lastApplied(PgSession db) {
    Map<String, Applied> out = new HashMap<>();
    if (!exists(db)) {
      return out;
    }
    for (Row r :
        db.query(
            "SELECT DISTINCT ON (revision) revision, direction, finished_at, duration_ms, host,"
                + " pid FROM "
                + q
                + ".history WHERE success AND direction IN ('upgrade', 'stamp')"
                + " ORDER BY revision, id DESC")) {
      out.put(
          r.getString("revision"),
          new Applied(
              r.getString("direction"),
              r.getOffsetDateTime("finished_at"),
              r.getLong("duration_ms"),
              r.getString("host"),
              r.getInteger("pid")));
    }
    return out;
  }

  /** When and by whom a revision was last applied or stamped. */
  public record Applied(
      String direction, OffsetDateTime at, Long durationMs, String host, Integer pid) {}
}
