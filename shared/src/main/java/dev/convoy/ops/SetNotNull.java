package dev.convoy.ops;

import java.util.List;

/**
 * {@code set_not_null}: constrains an existing column without a long lock ({@link NotNullRecipe});
 * with {@code backfill}, NULLs are filled first, in batches.
 */
public record SetNotNull(String table, String column, String backfill) implements Operation {
  private NotNullRecipe recipe() {
    return new NotNullRecipe(table, column, backfill, true);
  }

  @Override
  public String kind() {
    return "set_not_null";
  }

  @Override
  public String describe() {
    return "set_not_null " + table + "." + column;
  }

  @Override
  public List<Step> upgradeSteps() {
    NotNullRecipe r = recipe();
    return Steps.concat(r.expand(), r.backfill(), r.contract());
  }

  @Override
  public List<Step> downgradeSteps(boolean contracted) {
    List<Step> undo = recipe().undoExpand();
    if (!contracted) {
      return undo;
    }
    return Steps.concat(
        List.of(DdlStep.of(Phase.EXPAND, DropNotNull.sql(table, column), "undo " + describe())),
        undo);
  }
}
