package dev.convoy.ops;

import java.util.Locale;

/**
 * The zero-downtime phases. Expand adds without breaking the running application (nullable columns,
 * NOT VALID constraints, concurrent indexes, sync triggers); backfill fills data in batches;
 * contract constrains and removes, once the new application is deployed.
 */
public enum Phase {
  EXPAND,
  BACKFILL,
  CONTRACT;

  public String word() {
    return name().toLowerCase(Locale.ROOT);
  }
}
