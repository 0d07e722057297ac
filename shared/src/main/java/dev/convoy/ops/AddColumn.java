package dev.convoy.ops;

import java.util.List;

/**
 * {@code add_column}: nullable; NOT NULL with a constant default (instant since PostgreSQL 11); or
 * with {@code backfill}, an expression over the row: added nullable, filled in batches (and for
 * rows the old application writes meanwhile), then constrained as {@link NotNullRecipe} does.
 */
public record AddColumn(String table, ColumnSpec column, String backfill) implements Operation {
  public AddColumn(String table, ColumnSpec column) {
    this(table, column, null);
  }

  @Override
  public String kind() {
    return "add_column";
  }

  @Override
  public String describe() {
    return "add_column " + table + "." + column.name();
  }

  private NotNullRecipe recipe() {
    return new NotNullRecipe(table, column.name(), backfill, !column.nullable());
  }

  /** The column as first added: nullable when it is to be backfilled. */
  private ColumnSpec added() {
    return backfill == null
        ? column
        : new ColumnSpec(column.name(), column.type(), true, column.defaultExpr(), false);
  }

  @Override
  public List<Step> upgradeSteps() {
    if (backfill == null) {
      return Operation.super.upgradeSteps();
    }
    NotNullRecipe r = recipe();
    return Steps.concat(
        List.of(
            DdlStep.of(
                Phase.EXPAND,
                addSql(added(), true),
                "add " + table + "." + column.name() + " nullable")),
        r.expand(),
        r.backfill(),
        r.contract());
  }

  @Override
  public List<Step> downgradeSteps(boolean contracted) {
    if (backfill == null) {
      return Operation.super.downgradeSteps(contracted);
    }
    return Steps.concat(
        recipe().undoExpand(),
        List.of(
            DdlStep.of(
                Phase.EXPAND,
                Statement.tx(DropColumn.dropSql(table, column.name(), true)),
                "drop " + table + "." + column.name())));
  }

  @Override
  public List<Statement> up(boolean guarded) {
    if (backfill != null) {
      return Steps.statements(upgradeSteps());
    }
    return List.of(addSql(column, guarded));
  }

  private Statement addSql(ColumnSpec c, boolean guarded) {
    return Statement.tx(
        "ALTER TABLE "
            + Sql.name(table)
            + " ADD COLUMN "
            + (guarded ? "IF NOT EXISTS " : "")
            + c.definition());
  }

  @Override
  public List<Statement> down(boolean guarded) {
    return List.of(Statement.tx(DropColumn.dropSql(table, column.name(), guarded)));
  }

  @Override
  public List<DataLoss> dataLossOnDown() {
    return List.of(new DataLoss(table, column.name(), column.defaultExpr()));
  }
}
