package dev.convoy.ops;

import java.util.List;

/**
 * {@code add_foreign_key}: added NOT VALID in expand (a brief lock, no scan), validated in contract
 * (a scan that blocks no writes).
 */
public record AddForeignKey(
    String table,
    String name,
    List<String> columns,
    String refTable,
    List<String> refColumns,
    String onDelete,
    String onUpdate)
    implements Operation {
  public AddForeignKey {
    columns = List.copyOf(columns);
    refColumns = List.copyOf(refColumns);
  }

  public static String defaultName(String table, List<String> columns) {
    return Names.cut("fk_" + Sql.simpleName(table) + "_" + String.join("_", columns));
  }

  @Override
  public String kind() {
    return "add_foreign_key";
  }

  @Override
  public String describe() {
    return "add_foreign_key " + name + " on " + table;
  }

  @Override
  public List<Step> upgradeSteps() {
    String add =
        "ALTER TABLE "
            + Sql.name(table)
            + " ADD CONSTRAINT "
            + Sql.ident(name)
            + " FOREIGN KEY ("
            + Sql.idents(columns)
            + ") REFERENCES "
            + Sql.name(refTable)
            + " ("
            + Sql.idents(refColumns)
            + ")"
            + (onDelete == null ? "" : " ON DELETE " + onDelete)
            + (onUpdate == null ? "" : " ON UPDATE " + onUpdate)
            + " NOT VALID";
    return Steps.notValidThenValidate(table, name, add, describe());
  }

  @Override
  public List<Step> downgradeSteps(boolean contracted) {
    return Steps.dropConstraint(table, name);
  }
}
