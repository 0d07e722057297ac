package dev.convoy.coordinator;

import static dev.convoy.coordinator.ControlStore.SCHEMA;

import dev.convoy.ops.Sql;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The API's state changes (pause, resume, rollback), each one conditional update: {@code UPDATE ..
 * WHERE id = :id AND state IN (:from)}, logged in the same statement. When the rollout's state
 * changed between the request's read and its write (the driver finished it, another request paused
 * it), nothing is written and the caller gets a 409 naming the state it is in now, instead of
 * overwriting what the other writer decided. A request the state it read does not allow is bad
 * input (400), as before.
 */
final class Transitions {
  private final ControlStore store;

  Transitions(ControlStore store) {
    this.store = store;
  }

  void pause(JsonObject rollout) {
    change(rollout, List.of("running", "waiting"), "paused", null, "paused");
  }

  void resume(JsonObject rollout) {
    change(rollout, List.of("paused"), "running", null, "resumed");
  }

  /**
   * Asks for a rollback of {@code rollout} as it was read: only from the state it was read in,
   * since the caller's checks (the rollback guard) were made on that state.
   */
  void rollback(JsonObject rollout) {
    requireIn(rollout, List.of("running", "waiting", "paused", "succeeded", "failed"));
    change(
        rollout,
        List.of(rollout.getString("state")),
        "rolling_back",
        "rollback requested",
        "rollback_requested");
  }

  private void change(
      JsonObject rollout, List<String> from, String to, String error, String event) {
    requireIn(rollout, from);
    String id = rollout.getString("id");
    int changed =
        store.updateAndLog(
            "UPDATE "
                + SCHEMA
                + ".rollouts SET state = "
                + Sql.literal(to)
                + (error == null ? "" : ", error = " + Sql.literal(error))
                + ", updated_at = now() WHERE id = "
                + Sql.literal(id)
                + " AND state IN ('"
                + String.join("', '", from)
                + "')",
            id,
            null,
            event,
            null);
    if (changed == 0) {
      List<io.vertx.sqlclient.Row> now =
          store.rows("SELECT state FROM " + SCHEMA + ".rollouts WHERE id = " + Sql.literal(id));
      String state = now.isEmpty() ? "gone" : now.get(0).getString(0);
      throw new Conflict(
          "rollout "
              + id
              + " is now "
              + state
              + " (it changed while this request was handled); nothing was done: see 'convoy"
              + " rollout status "
              + id
              + "' and ask again if it still applies");
    }
  }

  private static void requireIn(JsonObject rollout, List<String> allowed) {
    String state = rollout.getString("state");
    if (!allowed.contains(state)) {
      throw Rollouts.bad(
          "rollout "
              + rollout.getString("id")
              + " is "
              + state
              + "; this needs it "
              + String.join(" or ", allowed));
    }
  }
}
