package dev.convoy.coordinator;

import static dev.convoy.coordinator.ControlStore.SCHEMA;

import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One decision of the leader, written to the control database as one transaction, and only while
 * the leader's epoch is still the current term: the transaction first takes a share lock on the
 * term row (so a new leader's epoch bump waits for it, and it sees any bump committed before it).
 * Statements added with {@link #must} are the decision's conditions: one that matches no row (the
 * rollout or step is no longer in the state the leader read) undoes the whole decision. A decision
 * that did not commit means someone else decided; the driver reads again on its next tick.
 */
final class Decision {
  private static final Logger log = LoggerFactory.getLogger(Decision.class);

  private record Statement(String sql, boolean required) {}

  private final ControlStore store;
  private final long epoch;
  private final List<Statement> statements = new ArrayList<>();
  private String refusal;

  Decision(ControlStore store, long epoch) {
    this.store = store;
    this.epoch = epoch;
  }

  /** A statement that must match at least one row, or the decision is undone. */
  Decision must(String sql) {
    statements.add(new Statement(sql, true));
    return this;
  }

  /** A statement that may match nothing. */
  Decision then(String sql) {
    statements.add(new Statement(sql, false));
    return this;
  }

  /** Logs an event in the control database's event log, with the decision. */
  Decision log(String rollout, String env, String type, String message) {
    return then(ControlStore.insertEvent(rollout, env, type, message));
  }

  /** Why the last {@link #commit} did not commit, or null. */
  String refusal() {
    return refusal;
  }

  /** Runs the decision; true when it committed, false when the term or a condition had moved. */
  boolean commit() {
    refusal = null;
    SqlConnection conn = Replies.awaitDb(store.pool().getConnection());
    // Notices at their own weight (NOTICE is debug), not all as the client's WARN.
    io.vertx.pgclient.PgConnection.cast(conn).noticeHandler(dev.convoy.pg.PgNotices::log);
    try {
      Transaction tx = Replies.awaitDb(conn.begin());
      RowSet<Row> term =
          Replies.awaitDb(
              conn.query("SELECT epoch FROM " + SCHEMA + ".term WHERE id = 1 FOR SHARE").execute());
      long current = term.iterator().next().getLong(0);
      if (current != epoch) {
        refusal = "epoch " + epoch + " is no longer the current term (now " + current + ")";
      }
      for (int i = 0; refusal == null && i < statements.size(); i++) {
        Statement s = statements.get(i);
        int rows = Replies.awaitDb(conn.query(s.sql()).execute()).rowCount();
        if (s.required() && rows == 0) {
          refusal = "its condition matched nothing: " + abbreviated(s.sql());
        }
      }
      if (refusal != null) {
        Replies.awaitDb(tx.rollback());
        log.info("decision of epoch {} not recorded: {}", epoch, refusal);
        return false;
      }
      Replies.awaitDb(tx.commit());
      return true;
    } catch (RuntimeException e) {
      throw new dev.convoy.error.ConvoyException(
          dev.convoy.error.ErrorCode.CONNECTION_FAILED, "control database: " + e.getMessage(), e);
    } finally {
      conn.close();
    }
  }

  private static String abbreviated(String sql) {
    return sql.length() > 160 ? sql.substring(0, 160) + "..." : sql;
  }
}
