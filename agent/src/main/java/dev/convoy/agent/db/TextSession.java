package dev.convoy.agent.db;

import java.util.List;

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

  /** The server process of this connection. */
  int pid();

  @Override
  void close();
}
