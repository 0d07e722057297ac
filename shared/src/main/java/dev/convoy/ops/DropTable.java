package dev.convoy.ops;

import java.util.List;
import java.util.Optional;

/**
 * {@code drop_table}: reversible when the migration keeps the table's columns. With a {@link Hold}
 * (a revert window), contract renames the table out of the way instead ({@link HeldSql}), and a
 * downgrade inside the window renames it back, its rows, indexes and sequences with it.
 */
public record DropTable(String table, List<ColumnSpec> columns, List<String> primaryKey, Hold hold)
    implements Operation {
  public DropTable {
    columns = List.copyOf(columns);
    primaryKey = List.copyOf(primaryKey);
  }

  public DropTable(String table, List<ColumnSpec> columns, List<String> primaryKey) {
    this(table, columns, primaryKey, null);
  }

  /** The same drop, kept for a revert window (null: dropped at once). */
  public DropTable withHold(Hold h) {
    return new DropTable(table, columns, primaryKey, h);
  }

  @Override
  public String kind() {
    return "drop_table";
  }

  @Override
  public String describe() {
    return "drop_table " + table;
  }

  /** Destructive, so it waits for the contract phase: after the new application is deployed. */
  @Override
  public List<Step> upgradeSteps() {
    return Steps.inContract(this);
  }

  @Override
  public List<Step> downgradeSteps(boolean contracted) {
    if (!contracted) {
      // Undoing a failed upgrade: a hold that committed before the failure is brought back (each
      // step does nothing when nothing is held).
      return hold == null ? List.of() : RestoreSql.restoreTable(hold, table);
    }
    if (hold != null && hold.found() == Hold.Found.IN_WINDOW) {
      return RestoreSql.restoreTable(hold, table);
    }
    List<Step> recreate = Operation.super.downgradeSteps(true);
    if (hold != null && hold.found() == Hold.Found.EXPIRED) {
      return Steps.concat(
          List.of(
              DdlStep.of(
                  Phase.EXPAND,
                  Statement.tx(
                      RestoreSql.discardTable(hold, table) + ";\n" + RestoreSql.forget(hold)),
                  "drop the expired held copy of " + table)),
          recreate);
    }
    if (hold != null) {
      // Purged: re-added empty, and the purged row forgotten with the revision.
      return Steps.concat(
          recreate,
          List.of(
              DdlStep.of(
                  Phase.EXPAND,
                  Statement.tx(RestoreSql.forget(hold)),
                  "forget the purged copy of " + table)));
    }
    return recreate;
  }

  @Override
  public List<Statement> up(boolean guarded) {
    if (hold != null) {
      return List.of(Statement.tx(HeldSql.holdTable(hold, table)));
    }
    return List.of(Statement.tx("DROP TABLE " + (guarded ? "IF EXISTS " : "") + Sql.name(table)));
  }

  @Override
  public List<Statement> down(boolean guarded) {
    return List.of(Statement.tx(CreateTable.createSql(table, columns, primaryKey, guarded)));
  }

  @Override
  public Optional<String> irreversibleReason() {
    return columns.isEmpty()
        ? Optional.of(
            "drop_table "
                + table
                + " does not list the table's columns, so it cannot be recreated;"
                + " add 'columns:' to the operation or write a sql operation with 'down'")
        : Optional.empty();
  }
}
