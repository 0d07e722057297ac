package dev.convoy.ops;

import java.util.ArrayList;
import java.util.List;

/** {@code create_table}: a table with its columns; primary key from the columns or explicit. */
public record CreateTable(String table, List<ColumnSpec> columns, List<String> primaryKey)
    implements Operation {
  public CreateTable {
    columns = List.copyOf(columns);
    primaryKey = List.copyOf(primaryKey);
  }

  @Override
  public String kind() {
    return "create_table";
  }

  @Override
  public String describe() {
    return "create_table " + table;
  }

  @Override
  public List<Statement> up(boolean guarded) {
    return List.of(Statement.tx(createSql(table, columns, primaryKey, guarded)));
  }

  @Override
  public List<Statement> down(boolean guarded) {
    return List.of(Statement.tx("DROP TABLE " + (guarded ? "IF EXISTS " : "") + Sql.name(table)));
  }

  @Override
  public List<DataLoss> dataLossOnDown() {
    return List.of(new DataLoss(table, null, null));
  }

  static String createSql(
      String table, List<ColumnSpec> columns, List<String> primaryKey, boolean guarded) {
    List<String> parts = new ArrayList<>();
    List<String> pk = new ArrayList<>(primaryKey);
    for (ColumnSpec c : columns) {
      parts.add(c.definition());
      if (c.primaryKey() && !pk.contains(c.name())) {
        pk.add(c.name());
      }
    }
    if (!pk.isEmpty()) {
      parts.add("PRIMARY KEY (" + Sql.idents(pk) + ")");
    }
    return "CREATE TABLE "
        + (guarded ? "IF NOT EXISTS " : "")
        + Sql.name(table)
        + " ("
        + String.join(", ", parts)
        + ")";
  }
}
