package dev.convoy.ops;

import java.util.List;

/** {@code drop_not_null}: instant; the downgrade constrains again without a long lock. */
public record DropNotNull(String table, String column) implements Operation {
  static Statement sql(String table, String column) {
    return Statement.tx(
        "ALTER TABLE " + Sql.name(table) + " ALTER COLUMN " + Sql.ident(column) + " DROP NOT NULL");
  }

  @Override
  public String kind() {
    return "drop_not_null";
  }

  @Override
  public String describe() {
    return "drop_not_null " + table + "." + column;
  }

  @Override
  public List<Statement> up(boolean guarded) {
    return List.of(sql(table, column));
  }

  @Override
  public List<Statement> down(boolean guarded) {
    return new SetNotNull(table, column, null).up(guarded);
  }

  @Override
  public List<Step> downgradeSteps(boolean contracted) {
    return new SetNotNull(table, column, null)
        .upgradeSteps().stream()
            .map(
                s ->
                    s instanceof DdlStep d
                        ? (Step)
                            new DdlStep(Phase.EXPAND, d.statement(), d.separate(), d.describe())
                        : s)
            .toList();
  }
}
