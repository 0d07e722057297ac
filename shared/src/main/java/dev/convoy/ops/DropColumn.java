package dev.convoy.ops;

import java.util.List;
import java.util.Optional;

/** {@code drop_column}: reversible when the migration keeps the column's type. */
public record DropColumn(String table, ColumnSpec column) implements Operation {
  @Override
  public String kind() {
    return "drop_column";
  }

  @Override
  public String describe() {
    return "drop_column " + table + "." + column.name();
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
    return List.of(Statement.tx(dropSql(table, column.name(), guarded)));
  }

  @Override
  public List<Statement> down(boolean guarded) {
    // Re-added as nullable: the dropped values are gone, so NOT NULL could not hold.
    ColumnSpec back =
        new ColumnSpec(column.name(), column.type(), true, column.defaultExpr(), false);
    return new AddColumn(table, back).up(guarded);
  }

  @Override
  public Optional<String> irreversibleReason() {
    return column.type() == null
        ? Optional.of(
            "drop_column "
                + table
                + "."
                + column.name()
                + " does not give the column's type, so it cannot be re-added;"
                + " write the column as {name: ..., type: ...}")
        : Optional.empty();
  }

  static String dropSql(String table, String column, boolean guarded) {
    return "ALTER TABLE "
        + Sql.name(table)
        + " DROP COLUMN "
        + (guarded ? "IF EXISTS " : "")
        + Sql.ident(column);
  }
}
