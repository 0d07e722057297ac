package dev.convoy.coordinator;

import static dev.convoy.coordinator.ControlStore.SCHEMA;

import dev.convoy.ops.Sql;
import java.util.List;

/**
 * Releases of contract gates, one per rollout and wave, in the control database (like approvals),
 * so a coordinator that takes over honours a release its predecessor recorded.
 */
final class Releases {
  private final ControlStore store;

  Releases(ControlStore store) {
    this.store = store;
  }

  boolean released(String rollout, int wave) {
    return !store
        .rows(
            "SELECT 1 FROM "
                + SCHEMA
                + ".releases WHERE rollout_id = "
                + Sql.literal(rollout)
                + " AND wave = "
                + wave)
        .isEmpty();
  }

  /**
   * Records the release of wave {@code wave}'s contract gate and, in the same statement, logs
   * {@code event} saying how and by whom; a second release of the same gate changes nothing.
   */
  void record(String rollout, int wave, String how, String by, String event, String message) {
    store.updateAndLog(
        "INSERT INTO "
            + SCHEMA
            + ".releases (rollout_id, wave, how, released_by) VALUES ("
            + String.join(
                ", ",
                List.of(
                    Sql.literal(rollout), String.valueOf(wave), Sql.literal(how), Sql.literal(by)))
            + ") ON CONFLICT DO NOTHING",
        rollout,
        null,
        event,
        message);
  }
}
