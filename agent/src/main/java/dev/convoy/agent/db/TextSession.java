package dev.convoy.agent.db;

import java.util.List;
import java.util.Optional;

/**
 * A connection that runs plain SQL (simple protocol, no parameters) and answers every value as
 * text: what the migration lock and the waiters' state checks need, and no more. Queries that use
 * it cast their columns to text, so both implementations answer the same strings.
 */
public interface TextSession extends AutoCloseable {
  /** Runs {@code sql} and returns its rows; a NULL value is {@code null}. */
  List<String[]> rows(String sql);

  /** The first column of the first row, or {@code null} when there is no row. */
  default String value(String sql) {
    List<String[]> rows = rows(sql);
    return rows.isEmpty() ? null : rows.get(0)[0];
  }

  /** Runs {@code sql} (several statements allowed), ignoring any rows. */
  default void execute(String sql) {
    rows(sql);
  }

  /**
   * Sends every statement at once (pipelined) and waits for all: one round trip instead of one per
   * statement. Returns the index of the first statement that failed and its error, or empty. Inside
   * a transaction the statements after a failure fail too, and a final COMMIT turns into a
   * rollback, so sending them unconditionally is safe.
   */
  default Optional<Failure> pipeline(List<String> sqls) {
    return pipeline(sqls, null);
  }

  /**
   * As {@link #pipeline(List)}; when {@code doneAt} is given, it receives the {@link
   * System#nanoTime} at which each statement's answer arrived.
   */
  Optional<Failure> pipeline(List<String> sqls, long[] doneAt);

  /** Which pipelined statement failed first, and why. */
  record Failure(int index, RuntimeException error) {}

  /** The SQLSTATE of the PostgreSQL error in {@code e}'s causes, or null. */
  static String sqlState(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SqlError s && s.sqlState() != null) {
        return s.sqlState();
      }
      if (t instanceof io.vertx.pgclient.PgException pg) {
        return pg.getSqlState();
      }
      if (t instanceof java.sql.SQLException q && q.getSQLState() != null) {
        return q.getSQLState();
      }
    }
    return null;
  }

  /** The server process of this connection. */
  int pid();

  @Override
  void close();
}
