package dev.convoy.ops;

import java.util.List;

/** {@code add_check}: added NOT VALID in expand, validated in contract. */
public record AddCheck(String table, String name, String check) implements Operation {
  @Override
  public String kind() {
    return "add_check";
  }

  @Override
  public String describe() {
    return "add_check " + name + " on " + table;
  }

  @Override
  public List<Step> upgradeSteps() {
    String add =
        "ALTER TABLE "
            + Sql.name(table)
            + " ADD CONSTRAINT "
            + Sql.ident(name)
            + " CHECK ("
            + check
            + ") NOT VALID";
    return List.of(
        DdlStep.of(
            Phase.EXPAND,
            Statement.tx(Guards.ifNoConstraint(table, name, add)),
            describe() + " NOT VALID"),
        DdlStep.separate(
            Phase.CONTRACT,
            Statement.tx(
                "ALTER TABLE " + Sql.name(table) + " VALIDATE CONSTRAINT " + Sql.ident(name)),
            "validate " + name));
  }

  @Override
  public List<Step> downgradeSteps(boolean contracted) {
    return List.of(
        DdlStep.of(Phase.EXPAND, Statement.tx(Guards.dropConstraint(table, name)), "drop " + name));
  }

  @Override
  public List<Statement> up(boolean guarded) {
    return Steps.statements(upgradeSteps());
  }

  @Override
  public List<Statement> down(boolean guarded) {
    return Steps.statements(downgradeSteps(true));
  }
}
