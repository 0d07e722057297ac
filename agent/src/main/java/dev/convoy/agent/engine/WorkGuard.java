package dev.convoy.agent.engine;

import dev.convoy.agent.db.PgSession;
import dev.convoy.agent.state.WorkFence;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import java.util.List;

/**
 * Runs a distributed command's single-statement work (a backfill batch, a progress mark) in a
 * transaction that first passes the {@link WorkFence#shared shared} fence and ledger check, and
 * checks the same just before a statement that cannot run in a transaction. Outside distributed
 * mode it runs the statement as it is.
 */
final class WorkGuard {
  static final WorkGuard NONE = new WorkGuard(null);

  private final WorkFence fence;

  WorkGuard(WorkFence fence) {
    this.fence = fence == null || !fence.active() ? null : fence;
  }

  /** Runs {@code sql} (one statement) after the check, in one transaction; returns its rows. */
  RowSet<Row> query(PgSession db, String sql) {
    if (fence == null) {
      return db.query(sql);
    }
    // Pipelined: one round trip. A failed check aborts the transaction, so the statement fails
    // and the COMMIT rolls back; the check's error is the one reported.
    List<io.vertx.core.Future<RowSet<Row>>> sent =
        List.of(db.send("BEGIN;\n" + fence.shared()), db.send(sql), db.send("COMMIT"));
    RuntimeException first = null;
    RowSet<Row> rows = null;
    for (int i = 0; i < sent.size(); i++) {
      try {
        RowSet<Row> r = PgSession.await(sent.get(i));
        if (i == 1) {
          rows = r;
        }
      } catch (RuntimeException e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw first;
    }
    return rows;
  }

  /** Fails unless the command may still change this database; for statements run alone. */
  void check(PgSession db) {
    if (fence != null) {
      db.query(fence.shared());
    }
  }
}
