package dev.convoy.ops;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Fills columns of existing rows in keyset batches: {@code UPDATE table SET col = expr, ...} for
 * the rows matching {@code where} (null: all), walking the primary key.
 */
public record BackfillStep(String table, Map<String, String> set, String where, String description)
    implements Step {
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
