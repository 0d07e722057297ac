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
    return Steps.notValidThenValidate(table, name, add, describe());
  }

  @Override
  public List<Step> downgradeSteps(boolean contracted) {
    return Steps.dropConstraint(table, name);
  }
}
