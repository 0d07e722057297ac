package dev.convoy.ops;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Fills columns of existing rows in batches: {@code UPDATE table SET col = expr, ...} for the rows
 * matching {@code where} (null: all). Batches walk the primary key, or, when {@code physicalOrder},
 * the table's pages in storage order: as fast as one sequential UPDATE, and safe only where a
 * trigger fills rows that concurrent writes move behind the walk.
 */
public record BackfillStep(
    String table, Map<String, String> set, String where, String description, boolean physicalOrder)
    implements Step {
  public BackfillStep(String table, Map<String, String> set, String where, String description) {
    this(table, set, where, description, false);
  }

  public BackfillStep {
    Objects.requireNonNull(table, "table");
    set = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(set));
  }

  @Override
  public Phase phase() {
    return Phase.BACKFILL;
  }

  @Override
  public String describe() {
    return description;
  }
}
