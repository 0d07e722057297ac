package dev.convoy.coordinator;

import static dev.convoy.coordinator.ControlStore.SCHEMA;

import dev.convoy.ops.Sql;
import dev.convoy.rollout.Event;
import io.vertx.core.json.JsonArray;

/**
 * What agents say about steps, written to the control database: accepted, progress, outcomes, and
 * heartbeats naming the step in progress. Answers to a send of an earlier epoch are ignored (the
 * where clause matches the step's current epoch), so a re-sent step is decided by its newest send
 * only.
 */
final class StepOutcomes {
  private final ControlStore store;
  private final CoordinatorMetrics metrics;

  StepOutcomes(ControlStore store, CoordinatorMetrics metrics) {
    this.store = store;
    this.metrics = metrics;
  }

  /** A heartbeat naming the step {@code key} (plan#step) its agent is working on. */
  void heard(String key) {
    int hash = key.lastIndexOf('#');
    if (hash <= 0) {
      return;
    }
    store.run(
        "UPDATE "
            + SCHEMA
            + ".steps SET heard_at = now() WHERE rollout_id = "
            + Sql.literal(key.substring(0, hash))
            + " AND seq = "
            + Integer.parseInt(key.substring(hash + 1))
            + " AND state IN ('sent', 'running')");
  }

  /**
   * An environment's starting heads, as its database had them when its first step of the rollout
   * was accepted (read by the agent just before running it): they replace the heartbeats' guess
   * taken when the rollout was created, which may be seconds old or wrong. Only the first such
   * answer counts (a step sent again later would report heads it moved itself), and only one whose
   * heads were read (an accepted event with a message could not read them).
   */
  private void recordStartHeads(Event e, String stepWhere) {
    if (e.message() != null || e.env() == null) {
      return;
    }
    store.updateAndLog(
        "UPDATE "
            + SCHEMA
            + ".rollouts SET start_heads = jsonb_set(start_heads, ARRAY["
            + Sql.literal(e.env())
            + "], "
            + Sql.literal(new JsonArray(e.heads()).encode())
            + "::jsonb), start_read = start_read || "
            + Sql.literal(new JsonArray().add(e.env()).encode())
            + "::jsonb WHERE id = "
            + Sql.literal(e.plan())
            + " AND NOT start_read ? "
            + Sql.literal(e.env())
            + " AND EXISTS (SELECT 1 FROM "
            + SCHEMA
            + ".steps"
            + stepWhere
            + " AND NOT rollback AND env = "
            + Sql.literal(e.env())
            + " AND seq = (SELECT min(seq) FROM "
            + SCHEMA
            + ".steps WHERE rollout_id = "
            + Sql.literal(e.plan())
            + " AND env = "
            + Sql.literal(e.env())
            + " AND NOT rollback))",
        e.plan(),
        e.env(),
        "start_heads",
        e.env()
            + " started from "
            + (e.heads().isEmpty() ? "base" : String.join(", ", e.heads()))
            + " (read from its database)");
  }

  /** Records an agent's answer to a step; answers to a superseded send are ignored. */
  void apply(Event e) {
    if (e.plan() == null || e.step() == null) {
      return;
    }
    String where =
        " WHERE rollout_id = "
            + Sql.literal(e.plan())
            + " AND seq = "
            + e.step()
            + " AND epoch = "
            + (e.epoch() == null ? -1 : e.epoch())
            + " AND state IN ('sent', 'running')";
    switch (e.type()) {
      case Event.ACCEPTED -> {
        recordStartHeads(e, where);
        store.run("UPDATE " + SCHEMA + ".steps SET state = 'running', heard_at = now()" + where);
      }
      case Event.PROGRESS -> {
        store.run(
            "UPDATE "
                + SCHEMA
                + ".steps SET rows_done = "
                + e.rows()
                + ", rows_total = "
                + e.total()
                + ", heard_at = now()"
                + where);
        metrics.backfillRows(e.env(), e.rows());
      }
      case Event.SUCCEEDED, Event.FAILED, Event.REJECTED -> {
        String state = e.type().equals(Event.SUCCEEDED) ? "succeeded" : e.type();
        // One statement: the driver, which reacts to the step's new state, must find its event
        // logged first.
        store.updateAndLog(
            "UPDATE "
                + SCHEMA
                + ".steps SET state = "
                + Sql.literal(state)
                + ", finished_at = now()"
                + ", seconds = "
                + (e.seconds() == null ? "NULL" : e.seconds())
                + ", heads = "
                + Sql.literal(new JsonArray(e.heads()).encode())
                + "::jsonb"
                + ", message = "
                + ControlStore.lit(e.message())
                + ", code = "
                + ControlStore.lit(e.code())
                + where,
            e.plan(),
            e.env(),
            "step_" + state,
            "step " + e.step() + (e.message() == null ? "" : ": " + e.message()));
        if (e.seconds() != null) {
          metrics.stepDuration(e.env(), e.seconds());
        }
      }
      default -> {}
    }
  }
}
