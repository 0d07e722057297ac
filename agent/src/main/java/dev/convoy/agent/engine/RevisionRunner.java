package dev.convoy.agent.engine;

import dev.convoy.agent.db.BackendPid;
import dev.convoy.agent.db.PgSession;
import dev.convoy.agent.db.SqlError;
import dev.convoy.agent.db.TextSession;
import dev.convoy.agent.state.HistoryEntry;
import dev.convoy.agent.state.StateStore;
import dev.convoy.agent.state.Who;
import dev.convoy.agent.state.WorkFence;
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
import java.util.Set;

/**
 * Runs a revision that fits in one transaction: its statements, its version update and its history
 * row commit together, sent as one pipelined round trip, so it is applied entirely or not at all. A
 * lock timeout retries the whole transaction (see {@link LockRetry}).
 */
final class RevisionRunner {
  private final TextSession db;
  private final StateStore state;
  private final Duration lockTimeout;
  private final LockRetry retry;
  private final Who who;
  private final LostConnection lost;

  RevisionRunner(
      TextSession db,
      StateStore state,
      Duration lockTimeout,
      LockRetry retry,
      Who who,
      LostConnection lost) {
    this.db = db;
    this.state = state;
    this.lockTimeout = lockTimeout;
    this.retry = retry;
    this.who = who;
    this.lost = lost;
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
    List<Step> steps = steps(m, direction, false);
    try {
      retry.run(
          "revision " + m.revision(),
          BackendPid.of(db),
          () -> {
            attempt(m, direction, steps, headsAfter);
            return null;
          });
      return Duration.ofNanos(System.nanoTime() - t0);
    } catch (RuntimeException e) {
      if (SqlError.isConnectionLost(e)) {
        throw lost.explain(List.of(m), List.of(List.copyOf(headsAfter)), serverPid(), e);
      }
      recordFailure(m, direction, started, (System.nanoTime() - t0) / 1_000_000, e);
      Step at = failedStep(e);
      throw new MigrationFailedException(
          m.revision(),
          m.file(),
          at == null ? "(waiting for locks)" : at.operation(),
          at == null ? "(the whole revision)" : at.statement().sql(),
          e,
          whereNow);
    }
  }

  private static Step failedStep(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof Failed f) {
        return f.step;
      }
    }
    return null;
  }

  /** The statement that failed first in a pipelined revision; its cause is PostgreSQL's error. */
  private static final class Failed extends RuntimeException {
    private final transient Step step;

    Failed(Step step, RuntimeException cause) {
      super(cause.getMessage(), cause);
      this.step = step;
    }
  }

  /**
   * The whole revision in one pipelined round trip: BEGIN, each statement, then version, history
   * and COMMIT. If a statement fails, PostgreSQL aborts the transaction, the statements after it
   * fail too, and the COMMIT rolls back; the first failure names the culprit.
   */
  private void attempt(
      Migration m, Direction direction, List<Step> steps, Collection<String> headsAfter) {
    List<String> sqls = new ArrayList<>();
    sqls.add(begin());
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
    var failed = db.pipeline(sqls);
    if (failed.isPresent()) {
      int i = failed.get().index();
      Step step =
          i == 0
              ? new Step(Statement.tx(sqls.get(0)), "(starting the transaction)")
              : i <= steps.size()
                  ? steps.get(i - 1)
                  : new Step(Statement.tx(sqls.get(i)), "(recording the new version)");
      throw new Failed(step, failed.get().error());
    }
  }

  private static final int CHAIN_REVISIONS = 50;
  private static final int CHAIN_BYTES = 256 * 1024;

  /**
   * The revisions from {@code work[from]} on that can run as one pipeline (see {@link #chain}):
   * plain ones (one transaction, nothing expanded) whose plan does not depend on what the revisions
   * before them do to the catalog.
   */
  static List<Migration> chainable(List<Migration> work, int from, Set<String> expanded) {
    List<Migration> out = new ArrayList<>();
    long bytes = 0;
    for (int i = from; i < work.size() && out.size() < CHAIN_REVISIONS; i++) {
      Migration m = work.get(i);
      if (expanded.contains(m.revision()) || StepRunner.phased(m) || Catalog.asksDatabase(m)) {
        break;
      }
      for (Step st : steps(m, Direction.UPGRADE, false)) {
        bytes += st.statement().sql().length();
      }
      if (bytes > CHAIN_BYTES && !out.isEmpty()) {
        break;
      }
      out.add(m);
    }
    return out;
  }

  /**
   * Runs consecutive revisions as one pipeline, each still its own transaction with its version and
   * history rows: the server goes from one to the next without waiting for the client. Each
   * revision after the first starts by checking that the version table holds the heads the one
   * before it left ({@link StateStore#requireHeadsSql}), so once one fails, every later one fails
   * too and rolls back. Returns how long each revision that committed took: a prefix of {@code ms};
   * the caller runs the first one that did not commit again on its own, which retries lock timeouts
   * and reports a failure exactly as a single revision does.
   */
  List<Duration> chain(List<Migration> ms, List<List<String>> headsAfter) {
    List<String> sqls = new ArrayList<>();
    int[] commitAt = new int[ms.size()];
    String begin = begin();
    for (int k = 0; k < ms.size(); k++) {
      Migration m = ms.get(k);
      sqls.add(k == 0 ? begin : begin + ";\n" + state.requireHeadsSql(headsAfter.get(k - 1)));
      for (Step s : steps(m, Direction.UPGRADE, false)) {
        sqls.add(s.statement().sql());
      }
      sqls.add(
          state.setHeadsSql(headsAfter.get(k))
              + ";\n"
              + state.historySql(entry(m, Direction.UPGRADE, null, null, true, null)));
      sqls.add("COMMIT");
      commitAt[k] = sqls.size() - 1;
    }
    long[] doneAt = new long[sqls.size()];
    long t0 = System.nanoTime();
    int failedAt;
    try {
      failedAt = db.pipeline(sqls, doneAt).map(TextSession.Failure::index).orElse(sqls.size());
    } catch (RuntimeException e) {
      if (SqlError.isConnectionLost(e)) {
        throw lost.explain(ms, headsAfter, serverPid(), e);
      }
      throw e;
    }
    List<Duration> took = new ArrayList<>();
    long previous = t0;
    for (int k = 0; k < ms.size() && commitAt[k] < failedAt; k++) {
      took.add(Duration.ofNanos(doneAt[commitAt[k]] - previous));
      previous = doneAt[commitAt[k]];
    }
    return took;
  }

  /**
   * The start of every revision's transaction: the lock timeout, and in distributed mode the
   * coordinator's epoch checked against (and recorded in) the fence and the command's ledger row
   * checked to be still running, in the same transaction as the work, so neither a stale
   * coordinator's command nor a superseded or replayed one can commit anything.
   */
  private String begin() {
    String sql = "BEGIN; SET LOCAL lock_timeout = " + Sql.literal(lockTimeout.toMillis() + "ms");
    WorkFence fence = new WorkFence(state.schema(), who);
    return fence.active() ? sql + ";\n" + fence.exclusive() : sql;
  }

  /**
   * An index left invalid by an interrupted concurrent build is dropped, then built again. A
   * generated statement is a query: each statement it returns runs on its own, in order.
   */
  static void runOutside(PgSession db, Statement s) {
    if (s.generated()) {
      List<String> generated = new ArrayList<>();
      for (var row : db.query(s.sql())) {
        generated.add(row.getString(0));
      }
      for (String sql : generated) {
        db.query(sql);
      }
      return;
    }
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

  HistoryEntry entry(
      Migration m, Direction d, OffsetDateTime started, Long ms, boolean success, String error) {
    return HistoryEntry.of(
        m,
        d.word(),
        "applied",
        started,
        started == null ? null : OffsetDateTime.now(),
        ms,
        success ? null : error,
        who);
  }

  void recordFailure(
      Migration m, Direction d, OffsetDateTime started, long ms, RuntimeException e) {
    try {
      state.ensure(db);
      db.execute(
          state.historySql(entry(m, d, started, ms, false, MigrationFailedException.pgError(e))));
    } catch (RuntimeException ignored) {
      // The failure itself is reported to the caller; losing its history row is secondary.
    }
  }

  /**
   * The server process running the revision, to wait for after a lost connection: behind a pooler
   * the pid announced at startup is the pooler's own, so the one the server reported (remembered by
   * the pooler check when the lock connection opened) is used.
   */
  private int serverPid() {
    try {
      return dev.convoy.agent.db.BackendPid.of(db);
    } catch (RuntimeException gone) {
      return db.pid(); // never asked and the connection is gone: a direct connection's is right
    }
  }
}
