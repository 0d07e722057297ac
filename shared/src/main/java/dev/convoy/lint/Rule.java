package dev.convoy.lint;

import java.util.Arrays;
import java.util.Optional;

/**
 * The lint rules: each says why the change is risky on a live table and what to do instead. {@link
 * Cost#ROWS} marks a rule whose cost grows with the table's rows.
 */
public enum Rule {
  INDEX_NOT_CONCURRENT(
      Cost.ROWS,
      "index-not-concurrent",
      Severity.ERROR,
      "CREATE INDEX without CONCURRENTLY blocks every write to the table while the index builds",
      "use create_index (CONCURRENTLY by default), or CREATE INDEX CONCURRENTLY in a sql"
          + " operation with transactional: false"),
  ADD_COLUMN_NOT_NULL(
      Cost.ROWS,
      "add-column-not-null",
      Severity.ERROR,
      "ADD COLUMN ... NOT NULL without a DEFAULT fails on a table with rows, and with a volatile"
          + " default rewrites the table under an exclusive lock",
      "use add_column with nullable: false and backfill: <expression> (added nullable, filled in"
          + " batches, then constrained)"),
  SET_NOT_NULL(
      Cost.ROWS,
      "set-not-null",
      Severity.ERROR,
      "SET NOT NULL scans the whole table while holding an ACCESS EXCLUSIVE lock",
      "use set_not_null (CHECK ... NOT VALID, VALIDATE, then SET NOT NULL without a scan)"),
  CONSTRAINT_NOT_VALID(
      Cost.ROWS,
      "constraint-not-valid",
      Severity.ERROR,
      "adding a CHECK or FOREIGN KEY validates every row while holding a lock that blocks writes",
      "use add_check / add_foreign_key (NOT VALID, then VALIDATE in contract), or add NOT VALID"
          + " and VALIDATE CONSTRAINT in a later step"),
  UNIQUE_WITHOUT_INDEX(
      Cost.ROWS,
      "unique-without-index",
      Severity.ERROR,
      "ADD UNIQUE / PRIMARY KEY builds its index while blocking writes",
      "use add_unique (the index is built CONCURRENTLY, then attached with USING INDEX)"),
  ALTER_TYPE(
      Cost.ROWS,
      "alter-type",
      Severity.ERROR,
      "ALTER COLUMN ... TYPE rewrites the table and its indexes under an ACCESS EXCLUSIVE lock,"
          + " unless the types are binary compatible",
      "use alter_column with type: (direct when no rewrite is needed, a shadow column otherwise)"),
  DROP_COLUMN(
      Cost.FIXED,
      "drop-column",
      Severity.WARNING,
      "the running application may still read or write the column; its data is gone",
      "drop it with drop_column (runs in contract, after the new application is deployed) once"
          + " no deployed version uses it"),
  DROP_TABLE(
      Cost.FIXED,
      "drop-table",
      Severity.WARNING,
      "the running application may still use the table; its data is gone",
      "drop it with drop_table (runs in contract) once no deployed version uses it"),
  RENAME(
      Cost.FIXED,
      "rename",
      Severity.ERROR,
      "renaming a column or table breaks every running application version that uses the old name",
      "add the new column, backfill it, move the application over, then drop the old column"),
  VACUUM_FULL(
      Cost.ROWS,
      "vacuum-full",
      Severity.ERROR,
      "VACUUM FULL and CLUSTER rewrite the table under an ACCESS EXCLUSIVE lock",
      "run them in a maintenance window outside migrations, or use pg_repack"),
  CONCURRENTLY_IN_TRANSACTION(
      Cost.FIXED,
      "concurrently-in-transaction",
      Severity.ERROR,
      "PostgreSQL refuses CONCURRENTLY inside a transaction block, so the migration fails",
      "set transactional: false on the sql operation (or the revision)");

  /** Whether what a rule warns of grows with the table's rows. */
  enum Cost {
    ROWS,
    FIXED
  }

  private final boolean scalesWithRows;
  private final String id;
  private final Severity severity;
  private final String why;
  private final String instead;

  Rule(Cost cost, String id, Severity severity, String why, String instead) {
    this.scalesWithRows = cost == Cost.ROWS;
    this.id = id;
    this.severity = severity;
    this.why = why;
    this.instead = instead;
  }

  public String id() {
    return id;
  }

  /** Every rule's id, in order. */
  public static java.util.List<String> ids() {
    return java.util.Arrays.stream(values()).map(Rule::id).toList();
  }

  /**
   * Why {@code ignored} (a migration's lint ignore list) cannot be right, or null: an id that is no
   * rule would silently ignore nothing.
   */
  public static String unknownIn(java.util.List<String> ignored) {
    for (String id : ignored) {
      if (!ids().contains(id)) {
        return "lint ignore names '"
            + id
            + "', which is not a lint rule; the rules are "
            + String.join(", ", ids());
      }
    }
    return null;
  }

  /**
   * True when what the rule warns of grows with the table (a scan, a rewrite, an index build): such
   * findings are raised one severity on a table the catalog says is big.
   */
  public boolean scalesWithRows() {
    return scalesWithRows;
  }

  public Severity severity() {
    return severity;
  }

  public String why() {
    return why;
  }

  public String instead() {
    return instead;
  }

  public static Optional<Rule> byId(String id) {
    return Arrays.stream(values()).filter(r -> r.id.equals(id)).findFirst();
  }
}
