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
    boolean atomicBody = false;
    for (SqlText.Stmt s : SqlText.statements(sql)) {
      String t = s.text();
      if (atomicBody) {
        // A BEGIN ATOMIC function body holds its own statements up to END.
        atomicBody = !t.matches("END\\b.*");
        continue;
      }
      if (t.contains("BEGIN ATOMIC")) {
        atomicBody = !t.matches(".*\\bEND$");
        continue;
      }
      if (t.matches("(BEGIN|START TRANSACTION|COMMIT|END|ABORT|PREPARE TRANSACTION)\\b.*")
          || (t.matches("ROLLBACK\\b.*") && !t.matches("ROLLBACK (WORK |TRANSACTION )?TO\\b.*"))) {
        return Optional.of(s.original());
      }
    }
    return Optional.empty();
  }
}
