package dev.convoy.ops;

import java.util.List;

/** {@code add_column}: nullable, or NOT NULL with a constant default. */
public record AddColumn(String table, ColumnSpec column) implements Operation {
  @Override
  public String kind() {
    return "add_column";
  }

  @Override
  public String describe() {
    return "add_column " + table + "." + column.name();
  }

  @Override
  public List<Statement> up(boolean guarded) {
    return List.of(
        Statement.tx(
            "ALTER TABLE "
                + Sql.name(table)
                + " ADD COLUMN "
                + (guarded ? "IF NOT EXISTS " : "")
                + column.definition()));
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
