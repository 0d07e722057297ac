package dev.convoy.ops;

import java.util.List;
import java.util.Optional;

/** {@code drop_table}: reversible when the migration keeps the table's columns. */
public record DropTable(String table, List<ColumnSpec> columns, List<String> primaryKey)
    implements Operation {
  public DropTable {
    columns = List.copyOf(columns);
    primaryKey = List.copyOf(primaryKey);
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
    return up(true).stream().map(st -> (Step) DdlStep.of(Phase.CONTRACT, st, describe())).toList();
  }

  @Override
  public List<Step> downgradeSteps(boolean contracted) {
    return contracted ? Operation.super.downgradeSteps(true) : List.of();
  }

  @Override
  public List<Statement> up(boolean guarded) {
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
