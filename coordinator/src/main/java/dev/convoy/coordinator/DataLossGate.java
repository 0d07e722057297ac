package dev.convoy.coordinator;

import static dev.convoy.coordinator.ControlStore.SCHEMA;

import dev.convoy.ops.Sql;
import io.vertx.core.json.JsonObject;

/**
 * A rollback step that would drop rows waits for a person. An agent refuses such a downgrade (the
 * CLI's guard: nothing is changed) and answers {@code failed} with code {@code data_loss} and what
 * would be lost; that is not a broken environment but a question. The refused step is set aside
 * ({@code skipped}, its message kept) and it and the rollback steps after it are queued again in
 * the same order as new steps, the first behind a {@code data_loss} gate showing the losses. The
 * gate opens when an operator approves with allow-data-loss, and the step is sent with {@code
 * allowDataLoss}. New step numbers, not the same step again: an agent answers a (plan, step, epoch)
 * it has already run with its recorded outcome, and would refuse again.
 */
final class DataLossGate {
  static final String GATE = "data_loss";
  static final String CODE = "data_loss";

  private final ControlStore store;

  DataLossGate(ControlStore store) {
    this.store = store;
  }

  /**
   * The statement that sets rollback step {@code seq} (failed with code data_loss) aside and queues
   * it again, with the rollback steps after it, behind the gate; it matches nothing when run a
   * second time (the step is skipped then). The driver runs it as one of its decisions.
   */
  String requeueSql(String rollout, int seq, String env, String losses) {
    String id = Sql.literal(rollout);
    String steps = SCHEMA + ".steps";
    // One statement: the steps are set aside and queued again, and the event logged, together.
    return ("WITH moved AS (UPDATE "
        + steps
        + " SET state = 'skipped' WHERE rollout_id = "
        + id
        + " AND rollback AND (seq = "
        + seq
        + " OR seq > "
        + seq
        + " AND state = 'pending') AND EXISTS (SELECT 1 FROM "
        + steps
        + " WHERE rollout_id = "
        + id
        + " AND seq = "
        + seq
        + " AND state = 'failed' AND code = "
        + Sql.literal(CODE)
        + ") RETURNING *), copied AS (INSERT INTO "
        + steps
        + " (rollout_id, seq, env, action, phase, target, gate, rollback, wave,"
        + " allow_data_loss, message) SELECT rollout_id, (SELECT max(seq) FROM "
        + steps
        + " WHERE rollout_id = "
        + id
        + ") + row_number() OVER (ORDER BY seq), env, action, phase, target, CASE WHEN seq = "
        + seq
        + " THEN "
        + Sql.literal(GATE)
        + " ELSE gate END, true, wave, seq <> "
        + seq
        + " AND allow_data_loss, CASE WHEN seq = "
        + seq
        + " THEN message END FROM moved RETURNING 1) INSERT INTO "
        + SCHEMA
        + ".events (rollout_id, env, type, message) SELECT "
        + id
        + ", "
        + Sql.literal(env)
        + ", 'data_loss_refused', "
        + Sql.literal("step " + seq + ": rolling " + env + " back would lose data: " + losses)
        + " WHERE EXISTS (SELECT 1 FROM copied) RETURNING 1");
  }

  /** What a rollout waiting at this gate shows: the environment and what it would lose. */
  static String message(String env, String losses) {
    return "waiting for approval to lose data in " + env + ": " + losses;
  }

  /** Who releases the gate of rollout {@code id}. */
  static String releasedBy(String id) {
    return "'convoy rollout approve "
        + id
        + " --allow-data-loss' (API: POST /api/rollouts/"
        + id
        + "/approve?allow_data_loss=true) once the data is backed up, or roll forward instead";
  }

  /** The pending step of described rollout {@code r} waiting at this gate, unapproved; or null. */
  static JsonObject waitingStep(JsonObject r) {
    for (Object o : r.getJsonArray("steps")) {
      JsonObject s = (JsonObject) o;
      if (s.getString("state").equals("pending")
          && GATE.equals(s.getString("gate"))
          && !s.getBoolean("allow_data_loss", false)) {
        return s;
      }
    }
    return null;
  }

  /** The {@code waiting_for} object of described rollout {@code r}, or null. */
  static JsonObject describe(JsonObject r) {
    JsonObject s = waitingStep(r);
    if (s == null) {
      return null;
    }
    String env = s.getString("env");
    return new JsonObject()
        .put("kind", "data_loss")
        .put("env", env)
        .put("losses", s.getString("message"))
        .put("message", message(env, s.getString("message")))
        .put("released_by", releasedBy(r.getString("id")));
  }

  /**
   * {@code approve} with allow-data-loss: opens the gate of every rollback step of {@code r} that
   * waits at it, or says (409) that nothing waits for such an approval.
   */
  void approve(JsonObject r, String by) {
    String id = r.getString("id");
    JsonObject s = waitingStep(r);
    if (s == null) {
      throw new Conflict(
          "rollout "
              + id
              + " is not waiting for approval to lose data (it is "
              + r.getString("state")
              + "); approve without allow-data-loss, or see 'convoy rollout status "
              + id
              + "'");
    }
    store.updateAndLog(
        "UPDATE "
            + SCHEMA
            + ".steps SET allow_data_loss = true WHERE rollout_id = "
            + Sql.literal(id)
            + " AND state = 'pending' AND rollback AND gate = "
            + Sql.literal(GATE),
        id,
        s.getString("env"),
        "data_loss_approved",
        "losing " + s.getString("message") + " approved by " + by);
  }

  /** A plain approve while this gate holds: refused, saying why and what releases it. */
  static Conflict plainApproveRefused(JsonObject r, JsonObject step) {
    String id = r.getString("id");
    return new Conflict(
        "rollout "
            + id
            + " is "
            + message(step.getString("env"), step.getString("message"))
            + "; a plain approve does not release it. Approve with "
            + releasedBy(id));
  }
}
