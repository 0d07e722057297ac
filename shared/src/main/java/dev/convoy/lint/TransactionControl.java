package dev.convoy.lint;

import java.util.Optional;

/**
 * Finds a statement that ends or starts a transaction ({@code COMMIT}, {@code ROLLBACK}, {@code
 * BEGIN}...) in SQL that Convoy runs inside its own transaction, where it would commit part of the
 * revision on its own, run what follows outside any transaction, and record the revision as applied
 * even when a later statement fails.
 */
public final class TransactionControl {
  private TransactionControl() {}

  /** The first such statement as written, or empty. */
  public static Optional<String> find(String sql) {
    if (sql == null) {
      return Optional.empty();
    }
    for (SqlStatement s : SqlStatement.split(sql)) {
      // A BEGIN ATOMIC function body is part of its CREATE statement, so its END is not seen here.
      if (s.startsWith("BEGIN")
          || s.startsWith("START", "TRANSACTION")
          || s.startsWith("COMMIT")
          || s.startsWith("END")
          || s.startsWith("ABORT")
          || s.startsWith("PREPARE", "TRANSACTION")
          || (s.startsWith("ROLLBACK") && !s.tokens().is(1, "TO") && !s.tokens().is(2, "TO"))) {
        return Optional.of(s.original());
      }
    }
    return Optional.empty();
  }
}
