package dev.convoy.ops;

import java.util.Objects;

/**
 * One SQL statement an operation runs. {@code transactional} is false for statements PostgreSQL
 * refuses inside a transaction block (CREATE INDEX CONCURRENTLY). {@code rebuildsIndex} names an
 * index that, when found invalid (left by an interrupted concurrent build), is dropped first.
 */
public record Statement(String sql, boolean transactional, String rebuildsIndex) {
  public Statement {
    Objects.requireNonNull(sql, "sql");
  }

  public static Statement tx(String sql) {
    return new Statement(sql, true, null);
  }

  public static Statement outside(String sql) {
    return new Statement(sql, false, null);
  }
}
