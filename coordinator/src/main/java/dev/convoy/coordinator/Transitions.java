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
    change(rollout, List.of("running", "waiting"), "paused", null, "paused", "", null);
  }

  void resume(JsonObject rollout) {
    change(rollout, List.of("paused"), "running", null, "resumed", "", null);
  }

  /**
   * Asks for a rollback of {@code rollout} as it was read: only from the state it was read in,
   * since the caller's checks (the rollback guard) were made on that state.
   */
  void rollback(JsonObject rollout, boolean allowDataLoss, String by) {
    requireIn(rollout, List.of("running", "waiting", "paused", "succeeded", "failed"));
    String id = rollout.getString("id");
    List<io.vertx.sqlclient.Row> newer =
        store.rows(
            "SELECT id FROM "
                + SCHEMA
                + ".rollouts WHERE created_at > (SELECT created_at FROM "
                + SCHEMA
                + ".rollouts WHERE id = "
                + Sql.literal(id)
                + ") ORDER BY created_at DESC LIMIT 1");
    if (!newer.isEmpty()) {
      // Its starting heads predate the newer rollout: going back to them would undo that too.
      throw new Conflict(
          "rollout "
              + id
              + " is not the latest: rollout "
              + newer.get(0).getString(0)
              + " started after it, and going back to "
              + id
              + "'s starting revisions would undo that one too; roll back "
              + newer.get(0).getString(0)
              + " first",
          "id",
          "the latest rollout");
    }
    change(
        rollout,
        List.of(rollout.getString("state")),
        "rolling_back",
        "rollback requested",
        "rollback_requested",
        // Approved with the request itself, in the same conditional write: a refused request
        // leaves no approval behind for a later rollback to use.
        allowDataLoss ? ", rollback_allow_data_loss = true" : "",
        allowDataLoss ? "rollback may drop rows, approved by " + by : null);
  }

  private void change(
      JsonObject rollout,
      List<String> from,
      String to,
      String error,
      String event,
      String alsoSet,
      String message) {
    requireIn(rollout, from);
    String id = rollout.getString("id");
    int changed =
        store.updateAndLog(
            "UPDATE "
                + SCHEMA
                + ".rollouts SET state = "
                + Sql.literal(to)
                + (error == null ? "" : ", error = " + Sql.literal(error))
                + alsoSet
                + ", updated_at = now() WHERE id = "
                + Sql.literal(id)
                + " AND state IN ('"
                + String.join("', '", from)
                + "')",
            id,
            null,
            event,
            message);
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
      // An illegal transition (resume a running rollout, pause a finished one): a conflict with
      // the rollout's state, not a malformed request.
      throw new Conflict(
          "rollout "
              + rollout.getString("id")
              + " is "
              + state
              + "; this needs it "
              + String.join(" or ", allowed),
          "state",
          "one of " + String.join(", ", allowed));
    }
  }
}
