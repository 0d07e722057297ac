package dev.convoy.ops;

import java.util.Objects;

/**
 * One SQL statement an operation runs. {@code transactional} is false for statements PostgreSQL
 * refuses inside a transaction block (CREATE INDEX CONCURRENTLY). {@code rebuildsIndex} names an
 * index that, when found invalid (left by an interrupted concurrent build), is dropped first.
 * {@code generated}: {@code sql} is a query whose rows (one text column) are the statements to run,
 * each on its own outside a transaction, in order; used when the statements depend on the catalog
 * at run time (the indexes a type change must copy). The query and its statements are idempotent.
 */
public record Statement(
    String sql, boolean transactional, String rebuildsIndex, boolean generated) {
  public Statement {
    Objects.requireNonNull(sql, "sql");
    if (generated && transactional) {
      throw new IllegalArgumentException("a generated statement runs outside a transaction");
    }
  }

  public Statement(String sql, boolean transactional, String rebuildsIndex) {
    this(sql, transactional, rebuildsIndex, false);
  }

  public static Statement tx(String sql) {
    return new Statement(sql, true, null);
  }

  public static Statement outside(String sql) {
    return new Statement(sql, false, null);
  }

  /** A query returning the statements to run, each alone and outside a transaction. */
  public static Statement generated(String query) {
    return new Statement(query, false, null, true);
  }
}
