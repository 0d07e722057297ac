package dev.convoy.coordinator;

import dev.convoy.error.ConvoyException;
import dev.convoy.error.ErrorCode;
import dev.convoy.ops.Sql;
import dev.convoy.pg.PgUrl;
import dev.convoy.pg.VertxPgOptions;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import java.util.ArrayList;
import java.util.List;

/**
 * The coordinator's control database: rollouts, their steps, approvals, releases of contract gates,
 * the event log, and the epoch bumped by every coordinator that takes the lease. What must survive
 * a coordinator or a Redis restart lives here. Calls block (they run on the coordinator's worker
 * threads).
 */
final class ControlStore implements AutoCloseable {
  static final String SCHEMA = "convoy_control";

  /** The partial unique index that allows one active rollout. */
  static final String ONE_ACTIVE = "rollouts_one_active";

  private final Pool pool;

  ControlStore(Vertx vertx, String url) {
    // Server, login and TLS (sslmode, sslrootcert...) read as for every other connection.
    PgConnectOptions options =
        VertxPgOptions.of(
            PgUrl.parse(url, "control database URL (--control-url / CONVOY_CONTROL_URL)"),
            "convoy coordinator");
    this.pool =
        PgBuilder.pool()
            // A server that accepts and never answers (another service on the port) fails within
            // 10 s rather than the pool's default 30.
            .with(new PoolOptions().setMaxSize(4).setConnectionTimeout(10))
            .connectingTo(options)
            .using(vertx)
            .build();
  }

  void ensure() {
    run(
        "CREATE SCHEMA IF NOT EXISTS "
            + SCHEMA
            + ";"
            + " CREATE TABLE IF NOT EXISTS "
            + SCHEMA
            + ".term (id int PRIMARY KEY CHECK (id = 1),"
            + " epoch bigint NOT NULL, leader text, events_cursor text NOT NULL DEFAULT '0',"
            + " updated_at timestamptz NOT NULL DEFAULT now());"
            + " INSERT INTO "
            + SCHEMA
            + ".term (id, epoch) VALUES (1, 0) ON CONFLICT DO NOTHING;"
            + " CREATE TABLE IF NOT EXISTS "
            + SCHEMA
            + ".rollouts (id text PRIMARY KEY,"
            + " target text NOT NULL, target_heads jsonb NOT NULL, strategy text NOT NULL,"
            + " rollback_policy text NOT NULL, state text NOT NULL, start_heads jsonb NOT NULL,"
            + " revisions jsonb NOT NULL, error text, created_at timestamptz NOT NULL DEFAULT now(),"
            + " updated_at timestamptz NOT NULL DEFAULT now());"
            + " CREATE TABLE IF NOT EXISTS "
            + SCHEMA
            + ".steps (rollout_id text NOT NULL"
            + " REFERENCES "
            + SCHEMA
            + ".rollouts, seq int NOT NULL, env text NOT NULL,"
            + " action text NOT NULL, phase text NOT NULL, target text NOT NULL, gate text NOT NULL,"
            + " rollback boolean NOT NULL DEFAULT false, state text NOT NULL DEFAULT 'pending',"
            + " epoch bigint, sent_at timestamptz, finished_at timestamptz, seconds double precision,"
            + " rows_done bigint, rows_total bigint, heads jsonb, message text,"
            + " PRIMARY KEY (rollout_id, seq));"
            + " ALTER TABLE "
            + SCHEMA
            + ".steps ADD COLUMN IF NOT EXISTS heard_at timestamptz,"
            + " ADD COLUMN IF NOT EXISTS wave int NOT NULL DEFAULT 1;"
            + " ALTER TABLE "
            + SCHEMA
            + ".rollouts ADD COLUMN IF NOT EXISTS contract_gate text,"
            + " ADD COLUMN IF NOT EXISTS waves int NOT NULL DEFAULT 1,"
            // Environments whose start_heads were read from their database (accepted events),
            // and whether a requested rollback may drop rows (approved up front).
            + " ADD COLUMN IF NOT EXISTS start_read jsonb NOT NULL DEFAULT '[]',"
            + " ADD COLUMN IF NOT EXISTS rollback_allow_data_loss boolean NOT NULL DEFAULT false,"
            // Who started it, as the caller said (the console sends its operator's name).
            + " ADD COLUMN IF NOT EXISTS started_by text;"
            + " ALTER TABLE "
            + SCHEMA
            + ".steps ADD COLUMN IF NOT EXISTS allow_data_loss boolean NOT NULL DEFAULT false,"
            + " ADD COLUMN IF NOT EXISTS code text,"
            // Backfill figures kept for the console once the step is over: when the first and the
            // last progress arrived, rows at the first (for the rate), and the rows and totals of
            // the step's earlier backfills (each backfill reports from 0).
            + " ADD COLUMN IF NOT EXISTS backfill_started_at timestamptz,"
            + " ADD COLUMN IF NOT EXISTS progress_at timestamptz,"
            + " ADD COLUMN IF NOT EXISTS backfill_from bigint,"
            + " ADD COLUMN IF NOT EXISTS rows_before bigint NOT NULL DEFAULT 0,"
            + " ADD COLUMN IF NOT EXISTS total_before bigint NOT NULL DEFAULT 0,"
            // A versions-drained gate before a contract step: its quiet time (null: none).
            + " ADD COLUMN IF NOT EXISTS drain_ms bigint;"
            + " CREATE TABLE IF NOT EXISTS "
            + SCHEMA
            + ".releases (rollout_id text NOT NULL, wave int NOT NULL, how text NOT NULL,"
            + " released_by text NOT NULL, released_at timestamptz NOT NULL DEFAULT now(),"
            + " PRIMARY KEY (rollout_id, wave));"
            + " CREATE TABLE IF NOT EXISTS "
            + SCHEMA
            + ".approvals (rollout_id text NOT NULL,"
            + " env text NOT NULL, approved_at timestamptz NOT NULL DEFAULT now(),"
            + " PRIMARY KEY (rollout_id, env));"
            + " CREATE TABLE IF NOT EXISTS "
            + SCHEMA
            + ".events (id bigserial PRIMARY KEY,"
            + " at timestamptz NOT NULL DEFAULT now(), rollout_id text, env text, type text NOT NULL,"
            + " message text)");
    oneActiveRollout();
  }

  /**
   * At most one active rollout: a partial unique index over the active states, so two starts racing
   * through two coordinators cannot both insert. A database that already holds several active
   * rollouts (from before the index) keeps working without it, and says so.
   */
  private void oneActiveRollout() {
    List<Row> active =
        rows(
            "SELECT id FROM "
                + SCHEMA
                + ".rollouts WHERE state IN "
                + Rollouts.ACTIVE_SQL
                + " AND to_regclass('"
                + SCHEMA
                + "."
                + ONE_ACTIVE
                + "') IS NULL");
    if (active.size() > 1) {
      org.slf4j.LoggerFactory.getLogger(ControlStore.class)
          .warn(
              "{} rollouts are active at once ({}); the one-active-rollout index is created once"
                  + " all but one have ended (roll the others back)",
              active.size(),
              active.stream().map(r -> r.getString(0)).toList());
      return;
    }
    run(
        "CREATE UNIQUE INDEX IF NOT EXISTS "
            + ONE_ACTIVE
            + " ON "
            + SCHEMA
            + ".rollouts ((true)) WHERE state IN "
            + Rollouts.ACTIVE_SQL);
  }

  /** A new term: the epoch every command of this leader carries. */
  long bumpEpoch(String leader) {
    return one("UPDATE "
            + SCHEMA
            + ".term SET epoch = epoch + 1, leader = "
            + Sql.literal(leader)
            + ", updated_at = now() WHERE id = 1 RETURNING epoch")
        .getLong(0);
  }

  String eventsCursor() {
    return one("SELECT events_cursor FROM " + SCHEMA + ".term WHERE id = 1").getString(0);
  }

  /** Saves the events cursor, only while {@code epoch} is still the current term. */
  void saveEventsCursor(String id, long epoch) {
    run(
        "UPDATE "
            + SCHEMA
            + ".term SET events_cursor = "
            + Sql.literal(id)
            + " WHERE id = 1 AND epoch = "
            + epoch);
  }

  Pool pool() {
    return pool;
  }

  void log(String rollout, String env, String type, String message) {
    run(insertEvent(rollout, env, type, message));
  }

  /**
   * Runs {@code update} and, in the same statement, logs the event if it changed a row: whoever
   * sees the change also finds its event, ahead of any event that reacts to it, and an update that
   * matched nothing logs nothing.
   */
  int updateAndLog(String update, String rollout, String env, String type, String message) {
    return query(updateAndLogSql(update, rollout, env, type, message)).rowCount();
  }

  /** The statement {@link #updateAndLog} runs; its row count is the number of rows changed. */
  static String updateAndLogSql(
      String update, String rollout, String env, String type, String message) {
    return "WITH changed AS ("
        + update
        + " RETURNING 1) "
        + insertEvent(rollout, env, type, message)
        + " FROM changed";
  }

  /** {@code INSERT INTO events .. SELECT <values>}, to which a FROM clause may be appended. */
  static String insertEvent(String rollout, String env, String type, String message) {
    return "INSERT INTO "
        + SCHEMA
        + ".events (rollout_id, env, type, message) SELECT "
        + lit(rollout)
        + ", "
        + lit(env)
        + ", "
        + Sql.literal(type)
        + ", "
        + lit(message);
  }

  RowSet<Row> query(String sql) {
    try {
      return Replies.awaitDb(pool.query(sql).execute());
    } catch (RuntimeException e) {
      throw new ConvoyException(
          ErrorCode.CONNECTION_FAILED, "control database: " + e.getMessage(), e);
    }
  }

  void run(String sql) {
    query(sql);
  }

  Row one(String sql) {
    RowSet<Row> rs = query(sql);
    if (!rs.iterator().hasNext()) {
      throw new IllegalStateException("no row from " + sql);
    }
    return rs.iterator().next();
  }

  List<Row> rows(String sql) {
    List<Row> out = new ArrayList<>();
    query(sql).forEach(out::add);
    return out;
  }

  /**
   * True when {@code e} is the database refusing a statement (an error with a SQLSTATE other than a
   * connection, shutdown or resource problem): the same statement would be refused again, unlike an
   * outage.
   */
  static boolean refusedStatement(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof io.vertx.sqlclient.DatabaseException db && db.getSqlState() != null) {
        String cls = db.getSqlState().length() >= 2 ? db.getSqlState().substring(0, 2) : "";
        return !List.of("08", "53", "57", "58", "40").contains(cls);
      }
    }
    return false;
  }

  static String lit(String s) {
    return s == null ? "NULL" : Sql.literal(s);
  }

  @Override
  public void close() {
    pool.close().await();
  }
}
