package dev.convoy.ops;

import java.util.List;
import java.util.Map;

/**
 * {@code backfill}: {@code UPDATE table SET col = expr, ... [WHERE where]} in keyset batches,
 * resumable. A data change: its downgrade changes nothing back.
 */
public record Backfill(String table, Map<String, String> set, String where) implements Operation {
  public Backfill {
    set = Map.copyOf(set);
  }

  @Override
  public String kind() {
    return "backfill";
  }

  @Override
  public String describe() {
    return "backfill " + table + " " + String.join(", ", new java.util.TreeSet<>(set.keySet()));
  }

  @Override
  public List<Step> upgradeSteps() {
    return List.of(new BackfillStep(table, new java.util.TreeMap<>(set), where, describe()));
  }

  @Override
  public List<Step> downgradeSteps(boolean contracted) {
    return List.of();
  }

  @Override
  public List<Statement> up(boolean guarded) {
    return Steps.statements(upgradeSteps());
  }

  @Override
  public List<Statement> down(boolean guarded) {
    return List.of();
  }
}
