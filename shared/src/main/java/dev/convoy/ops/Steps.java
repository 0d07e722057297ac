package dev.convoy.ops;

import java.util.ArrayList;
import java.util.List;

/** Helpers for operations whose steps are written out phase by phase. */
public final class Steps {
  private Steps() {}

  @SafeVarargs
  static List<Step> concat(List<Step>... parts) {
    List<Step> out = new ArrayList<>();
    for (List<Step> p : parts) {
      out.addAll(p);
    }
    return out;
  }

  /** The statements of steps, in order (backfills shown as their UPDATE without batching). */
  public static List<Statement> statements(List<Step> steps) {
    List<Statement> out = new ArrayList<>();
    for (Step s : steps) {
      if (s instanceof DdlStep d) {
        out.add(d.statement());
      } else if (s instanceof BackfillStep b) {
        out.add(Statement.tx(unbatched(b)));
      }
    }
    return out;
  }

  /** A backfill as one UPDATE: what offline SQL prints and what the batches add up to. */
  static String unbatched(BackfillStep b) {
    List<String> sets = new ArrayList<>();
    b.set().forEach((col, expr) -> sets.add(Sql.ident(col) + " = " + expr));
    return "UPDATE "
        + Sql.name(b.table())
        + " SET "
        + String.join(", ", sets)
        + (b.where() == null ? "" : " WHERE " + b.where());
  }

  /**
   * A constraint added NOT VALID in expand (a brief lock, no scan) and validated in contract (a
   * scan that blocks no writes); undone by dropping it.
   */
  static List<Step> notValidThenValidate(
      String table, String name, String addNotValid, String what) {
    return List.of(
        DdlStep.of(
            Phase.EXPAND,
            Statement.tx(Guards.ifNoConstraint(table, name, addNotValid)),
            what + " NOT VALID"),
        DdlStep.separate(
            Phase.CONTRACT,
            Statement.tx(
                "ALTER TABLE " + Sql.name(table) + " VALIDATE CONSTRAINT " + Sql.ident(name)),
            "validate " + name));
  }

  static List<Step> dropConstraint(String table, String name) {
    return List.of(
        DdlStep.of(Phase.EXPAND, Statement.tx(Guards.dropConstraint(table, name)), "drop " + name));
  }

  static List<Step> contract(Statement s, String description) {
    return List.of(DdlStep.of(Phase.CONTRACT, s, description));
  }

  /** {@code op}'s upgrade statements as contract steps: for what breaks the running application. */
  static List<Step> inContract(Operation op) {
    return op.up(true).stream()
        .map(st -> (Step) DdlStep.of(Phase.CONTRACT, st, op.describe()))
        .toList();
  }
}
