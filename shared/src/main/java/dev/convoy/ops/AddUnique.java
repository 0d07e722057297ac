package dev.convoy.ops;

import java.util.List;

/**
 * {@code add_unique}: the unique index is built CONCURRENTLY in expand; contract turns it into the
 * constraint with {@code ADD CONSTRAINT ... UNIQUE USING INDEX}, a catalog change.
 */
public record AddUnique(String table, String name, List<String> columns) implements Operation {
  public AddUnique {
    columns = List.copyOf(columns);
  }

  private CreateIndex index() {
    return new CreateIndex(table, name, columns, true, true, null, null);
  }

  @Override
  public String kind() {
    return "add_unique";
  }

  @Override
  public String describe() {
    return "add_unique " + name + " on " + table;
  }

  @Override
  public List<Step> upgradeSteps() {
    String attach =
        "ALTER TABLE "
            + Sql.name(table)
            + " ADD CONSTRAINT "
            + Sql.ident(name)
            + " UNIQUE USING INDEX "
            + Sql.ident(name);
    return Steps.concat(
        index().upgradeSteps(),
        List.of(
            DdlStep.of(
                Phase.CONTRACT,
                Statement.tx(Guards.ifNoConstraint(table, name, attach)),
                "attach " + name + " as a constraint")));
  }

  @Override
  public List<Step> downgradeSteps(boolean contracted) {
    return Steps.concat(
        List.of(
            DdlStep.of(
                Phase.EXPAND,
                Statement.tx(Guards.dropConstraint(table, name)),
                "drop constraint " + name)),
        index().downgradeSteps(false));
  }
}
