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
      "the running application may still read or write the column; its data is gone once the"
          + " revert window ends (contract keeps it renamed until then; at once with"
          + " --revert-window 0)",
      "drop it with drop_column (runs in contract, after the new application is deployed) once"
          + " no deployed version uses it"),
  DROP_TABLE(
      Cost.FIXED,
      "drop-table",
      Severity.WARNING,
      "the running application may still use the table; its data is gone once the revert window"
          + " ends (contract keeps it renamed until then; at once with --revert-window 0)",
      "drop it with drop_table (runs in contract) once no deployed version uses it"),
  RENAME(
      Cost.FIXED,
      "rename",
      Severity.ERROR,
      "renaming a column breaks every running application version that uses the old name",
      "add the new column, backfill it, move the application over, then drop the old column"),
  VERSIONED_RENAME(
      Cost.FIXED,
      "versioned-rename",
      Severity.WARNING,
      "the rename happens in contract; until then the new name exists only in the revision's"
          + " version schema, so an application that does not select a version breaks at contract",
      "run the new application with the revision's version ('convoy version url|search-path|role"
          + " REV') and the old one with its own, and contract once the old one is gone"),
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
      "set transactional: false on the sql operation (or the revision)"),
  VOLATILE_DEFAULT(
      Cost.ROWS,
      "volatile-default",
      Severity.WARNING,
      "ADD COLUMN with a volatile DEFAULT (random(), gen_random_uuid(), clock_timestamp(),"
          + " nextval(), a serial or identity column) writes a value into every row: the table is"
          + " rewritten under an ACCESS EXCLUSIVE lock. A constant or stable default (now()) is"
          + " instant",
      "add the column without the default (or with a constant one), SET DEFAULT, then fill"
          + " existing rows in batches with a backfill operation"),
  GENERATED_COLUMN(
      Cost.ROWS,
      "generated-column",
      Severity.WARNING,
      "ADD COLUMN ... GENERATED ALWAYS AS (...) STORED computes every row: the table is rewritten"
          + " under an ACCESS EXCLUSIVE lock",
      "add a plain nullable column, fill it with a trigger for new rows and a backfill for old"
          + " ones"),
  ADD_COLUMN_WITH_CONSTRAINT(
      Cost.ROWS,
      "add-column-with-constraint",
      Severity.ERROR,
      "ADD COLUMN with an inline UNIQUE, PRIMARY KEY, REFERENCES or CHECK builds its index or"
          + " validates every row while holding the table's ACCESS EXCLUSIVE lock",
      "add the column plain, then the constraint on its own: add_unique, add_foreign_key or"
          + " add_check (built CONCURRENTLY or NOT VALID, validated later)"),
  INT_PRIMARY_KEY(
      Cost.FIXED,
      "int-primary-key",
      Severity.WARNING,
      "a 32-bit (integer, serial) or 16-bit primary key runs out at 2,147,483,647 (32,767) rows"
          + " ever inserted, and widening it later rewrites the table and every referencing one",
      "use bigint GENERATED BY DEFAULT AS IDENTITY"),
  SERIAL_COLUMN(
      Cost.FIXED,
      "serial-column",
      Severity.WARNING,
      "serial columns own a separate sequence with its own permissions and dump order, which"
          + " schema changes and grants must keep in step by hand",
      "use bigint GENERATED BY DEFAULT AS IDENTITY (standard SQL, the sequence goes with the"
          + " column)"),
  CHAR_TYPE(
      Cost.FIXED,
      "char-type",
      Severity.WARNING,
      "char(n) pads values with blanks, compares surprisingly and is no faster than text in"
          + " PostgreSQL",
      "use text (with a CHECK on length if the limit matters) or varchar(n)"),
  TIMESTAMP_WITHOUT_TIME_ZONE(
      Cost.FIXED,
      "timestamp-without-time-zone",
      Severity.WARNING,
      "timestamp without time zone drops the offset it was given, so the same instant written"
          + " from two time zones is stored as two different times",
      "use timestamptz (timestamp with time zone)"),
  REINDEX_NOT_CONCURRENT(
      Cost.ROWS,
      "reindex-not-concurrent",
      Severity.ERROR,
      "REINDEX without CONCURRENTLY blocks writes to the table (and reads using the index) until"
          + " the index is rebuilt",
      "REINDEX ... CONCURRENTLY in a sql operation with transactional: false"),
  DETACH_PARTITION_NOT_CONCURRENT(
      Cost.FIXED,
      "detach-partition-not-concurrent",
      Severity.ERROR,
      "DETACH PARTITION without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on the partitioned"
          + " table: every query on any partition waits",
      "ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY (PostgreSQL 14+) in a sql operation with"
          + " transactional: false"),
  DROP_INDEX_NOT_CONCURRENT(
      Cost.FIXED,
      "drop-index-not-concurrent",
      Severity.ERROR,
      "DROP INDEX without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on the table: queued behind"
          + " a long query it blocks every read and write",
      "use drop_index (CONCURRENTLY by default), or DROP INDEX CONCURRENTLY in a sql operation"
          + " with transactional: false"),
  FOREIGN_KEY_WITHOUT_INDEX(
      Cost.ROWS,
      "foreign-key-without-index",
      Severity.WARNING,
      "no index starts with the foreign key's columns: every delete or key update in the"
          + " referenced table scans the referencing table, holding locks meanwhile",
      "create_index on the referencing columns (in the same revision or before)"),
  ENUM_ADD_VALUE(
      Cost.FIXED,
      "enum-add-value",
      Severity.WARNING,
      "ALTER TYPE ... ADD VALUE cannot be undone (PostgreSQL has no DROP VALUE), cannot run in a"
          + " transaction before PostgreSQL 12, the new value cannot be used in the transaction"
          + " that adds it, and without BEFORE/AFTER it sorts last",
      "add the value in a revision of its own (transactional: false on PostgreSQL 11 and older),"
          + " say BEFORE/AFTER when order matters, and mark it irreversible or write a down that"
          + " recreates the type"),
  RENAME_TABLE(
      Cost.FIXED,
      "rename-table",
      Severity.ERROR,
      "renaming a table breaks every running application version that uses the old name",
      "keep the table name (rename the model in code), or create a view with the new name,"
          + " move the application to it, then drop the view and rename in one contract step"),
  LOCK_TIMEOUT_OVERRIDE(
      Cost.FIXED,
      "lock-timeout-override",
      Severity.ERROR,
      "Convoy runs every statement with a short lock_timeout (and retries) so DDL queued behind a"
          + " long query never blocks the table's traffic; SQL that resets it, sets it to 0 or"
          + " over 10 s, sets it for the whole session or as a role's or database's default takes"
          + " that away from this and later statements",
      "leave lock_timeout to Convoy (--lock-timeout), or use SET LOCAL lock_timeout = '<n>ms'"
          + " with a value from 1 ms to 10 s inside a transactional sql operation"),
  DROP_DATABASE(
      Cost.FIXED,
      "drop-database",
      Severity.ERROR,
      "DROP DATABASE destroys every table at once and cannot be rolled back",
      "drop databases by hand, never from a migration"),
  TRUNCATE_CASCADE(
      Cost.FIXED,
      "truncate-cascade",
      Severity.WARNING,
      "TRUNCATE ... CASCADE also empties every table that references it, and those that"
          + " reference them",
      "truncate the tables you mean by name, without CASCADE"),
  DROP_NOT_NULL(
      Cost.FIXED,
      "drop-not-null",
      Severity.WARNING,
      "running application versions and triggers may not expect NULL in a column that could"
          + " not hold one",
      "use drop_not_null once every deployed version handles NULL"),
  DOMAIN_CONSTRAINT(
      Cost.FIXED,
      "domain-constraint",
      Severity.WARNING,
      "a CHECK on a domain is checked against every column of every table using it, and changing"
          + " it later rescans or rewrites them all",
      "put the CHECK on the columns themselves (add_check)"),
  IDENTIFIER_TOO_LONG(
      Cost.FIXED,
      "identifier-too-long",
      Severity.WARNING,
      "PostgreSQL cuts names longer than 63 bytes, so the object gets a name the migration never"
          + " wrote (and two long names may collide)",
      "use a name of at most 63 bytes");

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
