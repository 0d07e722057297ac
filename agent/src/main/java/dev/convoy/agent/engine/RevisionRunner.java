package dev.convoy.agent.engine;

import dev.convoy.agent.db.PgSession;
import dev.convoy.agent.state.HistoryEntry;
import dev.convoy.agent.state.StateStore;
import dev.convoy.agent.state.Who;
import dev.convoy.migration.Migration;
import dev.convoy.ops.Operation;
import dev.convoy.ops.Sql;
import dev.convoy.ops.Statement;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Runs one revision, up or down. A transactional revision commits its statements, its version
 * update and its history row together, so it is applied entirely or not at all. A revision that
 * cannot run in a transaction (concurrent index builds) runs each statement on its own with
 * idempotent guards, then records version and history in one transaction: a crash in between is
 * repaired by running it again.
 */
final class RevisionRunner {
  private final PgSession db;
  private final StateStore state;
  private final Duration lockTimeout;
  private final Who who;

  RevisionRunner(PgSession db, StateStore state, Duration lockTimeout, Who who) {
    this.db = db;
    this.state = state;
    this.lockTimeout = lockTimeout;
    this.who = who;
  }

  /** A statement with the operation it came from, for error reports. */
  record Step(Statement statement, String operation) {}

  static List<Step> steps(Migration m, Direction direction, boolean guarded) {
    List<Step> steps = new ArrayList<>();
    List<Operation> ops = m.operations();
    int n = ops.size();
    for (int i = 0; i < n; i++) {
      Operation op = direction == Direction.UPGRADE ? ops.get(i) : ops.get(n - 1 - i);
      int index = direction == Direction.UPGRADE ? i + 1 : n - i;
      String label =
          op.describe() + " (operation " + index + " of " + n + ", " + direction.word() + ")";
      for (Statement s : direction == Direction.UPGRADE ? op.up(guarded) : op.down(guarded)) {
        steps.add(new Step(s, label));
      }
    }
    return steps;
  }

  Duration run(Migration m, Direction direction, Collection<String> headsAfter, String whereNow) {
    OffsetDateTime started = OffsetDateTime.now();
    long t0 = System.nanoTime();
    boolean tx = m.transactional();
    List<Step> steps = steps(m, direction, !tx);
    Step current = null;
    boolean recording = false;
    try {
      if (tx) {
        Optional<Failed> failed = runInTransaction(m, direction, steps, headsAfter);
        if (failed.isPresent()) {
          current = failed.get().step();
          throw failed.get().error();
        }
      } else {
        db.query("SET lock_timeout = " + Sql.literal(lockTimeout.toMillis() + "ms"));
        for (Step s : steps) {
          current = s;
          runOutside(s.statement());
        }
        current = null;
        recording = true;
        db.query("RESET lock_timeout");
        db.query(
            "BEGIN;\n"
                + state.setHeadsSql(headsAfter)
                + ";\n"
                + state.historySql(entry(m, direction, started, elapsedMs(t0), true, null))
                + ";\nCOMMIT");
      }
      return Duration.ofNanos(System.nanoTime() - t0);
    } catch (RuntimeException e) {
      if (recording) {
        // The version update's query failed before its COMMIT: the transaction is still open.
        rollbackQuietly();
      }
      recordFailure(m, direction, started, elapsedMs(t0), e);
      String stmt = current == null ? "(recording the new version)" : current.statement().sql();
      String op = current == null ? "(none)" : current.operation();
      String where =
          tx
              ? whereNow
              : whereNow
                  + " It ran outside a transaction: statements before the failing one stay"
                  + " applied; they are guarded (IF [NOT] EXISTS), so fixing the cause and running"
                  + " again completes it.";
      throw new MigrationFailedException(m.revision(), m.file(), op, stmt, e, where);
    }
  }

  /** The statement that failed first in a pipelined revision, and PostgreSQL's error. */
  private record Failed(Step step, RuntimeException error) {}

  /**
   * The whole revision in one pipelined round trip: BEGIN, each statement, then version, history
   * and COMMIT. If a statement fails, PostgreSQL aborts the transaction, the statements after it
   * fail too, and the COMMIT rolls back; the first failure names the culprit.
   */
  private Optional<Failed> runInTransaction(
      Migration m, Direction direction, List<Step> steps, Collection<String> headsAfter) {
    List<String> sqls = new ArrayList<>();
    sqls.add("BEGIN; SET LOCAL lock_timeout = " + Sql.literal(lockTimeout.toMillis() + "ms"));
    for (Step s : steps) {
      sqls.add(s.statement().sql());
    }
    // Timed by the server: started_at is the transaction's start, finished_at the clock when
    // the history row is written, after every statement ran.
    sqls.add(
        state.setHeadsSql(headsAfter)
            + ";\n"
            + state.historySql(entry(m, direction, null, null, true, null)));
    // Sent even when something before it fails: on an aborted transaction COMMIT rolls back.
    sqls.add("COMMIT");
    return db.pipeline(sqls)
        .map(
            f -> {
              int i = f.index();
              Step step =
                  i == 0
                      ? new Step(Statement.tx(sqls.get(0)), "(starting the transaction)")
                      : i <= steps.size()
                          ? steps.get(i - 1)
                          : new Step(Statement.tx(sqls.get(i)), "(recording the new version)");
              return new Failed(step, f.error());
            });
  }

  private static long elapsedMs(long t0) {
    return (System.nanoTime() - t0) / 1_000_000;
  }

  /** An index left invalid by an interrupted concurrent build is dropped, then built again. */
  private void runOutside(Statement s) {
    if (s.rebuildsIndex() != null) {
      var rs =
          db.query(
              "SELECT i.indisvalid FROM pg_index i WHERE i.indexrelid = to_regclass($1)",
              Tuple.of(Sql.name(s.rebuildsIndex())));
      if (rs.iterator().hasNext() && !rs.iterator().next().getBoolean(0)) {
        db.query("DROP INDEX CONCURRENTLY IF EXISTS " + Sql.name(s.rebuildsIndex()));
      }
    }
    db.query(s.sql());
  }

  private HistoryEntry entry(
      Migration m, Direction d, OffsetDateTime started, Long ms, boolean success, String error) {
    return new HistoryEntry(
        m.revision(),
        d.word(),
        "applied",
        m.checksum(),
        m.file(),
        m.message(),
        started,
        started == null ? null : OffsetDateTime.now(),
        ms,
        success,
        error,
        who);
  }

  private void rollbackQuietly() {
    try {
      db.query("ROLLBACK");
    } catch (RuntimeException ignored) {
      // A dead connection fails the history write next, and the caller hears the first error.
    }
  }

  private void recordFailure(
      Migration m, Direction d, OffsetDateTime started, long ms, RuntimeException e) {
    try {
      state.ensure(db);
      db.query(
          state.historySql(entry(m, d, started, ms, false, MigrationFailedException.pgError(e))));
    } catch (RuntimeException ignored) {
      // The failure itself is reported to the caller; losing its history row is secondary.
    }
  }
}
