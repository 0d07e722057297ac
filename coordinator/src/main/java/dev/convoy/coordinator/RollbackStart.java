package dev.convoy.coordinator;

import static dev.convoy.coordinator.ControlStore.SCHEMA;

import dev.convoy.ops.Sql;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starting a rollout's rollback, as one {@link Decision} of the {@link Driver}: picks the
 * environments to take back by policy ({@code all} touched ones or only the {@code failed} one, in
 * reverse stage order), refuses when the {@link RollbackGuard} finds a revision on the way that
 * cannot be undone (every environment then stays where it is and a person decides), else skips the
 * pending steps and appends one downgrade step per environment back to all of its starting heads,
 * carrying the rollout's data-loss approval. Apart from the driver because it is the one decision
 * that plans new steps rather than moving existing ones on.
 */
final class RollbackStart {
  private static final Logger log = LoggerFactory.getLogger(RollbackStart.class);

  private final String id;
  private final List<String> environments;
  private final RollbackGuard guard;
  private final Decisions decisions;

  RollbackStart(String id, List<String> environments, RollbackGuard guard, Decisions decisions) {
    this.id = id;
    this.environments = environments;
    this.guard = guard;
    this.decisions = decisions;
  }

  /**
   * Starts the rollback; true when it did (rollback steps planned and committed), false when the
   * policy or the guard left every environment as it is or another decision came first.
   */
  boolean start(
      Decision d,
      String rollout,
      String policy,
      Row failed,
      List<Row> steps,
      JsonObject startHeads) {
    String failedEnv = failed == null ? null : failed.getString(1);
    String reason =
        failed == null
            ? "rollback requested"
            : "step " + failed.getInteger(0) + " in " + failedEnv + " " + failed.getString(7);
    Set<String> touched = new java.util.LinkedHashSet<>();
    for (Row s : steps) {
      if (!s.getString(7).equals("pending")) {
        touched.add(s.getString(1));
      }
    }
    List<String> back = new ArrayList<>();
    for (int i = environments.size() - 1; i >= 0; i--) {
      String env = environments.get(i);
      if (policy.equals("all") && touched.contains(env)
          || policy.equals("failed") && env.equals(failedEnv)) {
        back.add(env);
      }
    }
    if (failed != null) {
      d.log(rollout, failedEnv, "step_failed", reason);
    }
    if (back.isEmpty()) {
      decisions.finish(
          d,
          rollout,
          "failed",
          reason + "; rollback policy " + policy + " leaves every environment as it is");
      return false;
    }
    List<String> refusals = guard.refusals(reached(steps, back), RollbackGuard.start(startHeads));
    if (!refusals.isEmpty()) {
      // Every environment stays where it is, consistent, and a person decides.
      d.log(rollout, null, "rollback_refused", RollbackGuard.message(refusals));
      decisions.finish(d, rollout, "failed", reason + "; " + RollbackGuard.message(refusals));
      return false;
    }
    int seq = steps.size();
    List<String> values = new ArrayList<>();
    for (String env : back) {
      // Every starting head (branches included), as read from the database when its first step
      // was accepted; the heartbeats' guess only for an environment never reached.
      JsonArray heads = startHeads.getJsonArray(env, new JsonArray());
      String target =
          heads.isEmpty() ? "base" : String.join(",", heads.stream().map(String::valueOf).toList());
      values.add(
          "("
              + Sql.literal(rollout)
              + ", "
              + (++seq)
              + ", "
              + Sql.literal(env)
              + ", 'downgrade', 'all', "
              + Sql.literal(target)
              + ", 'auto', true, (SELECT rollback_allow_data_loss FROM "
              + SCHEMA
              + ".rollouts WHERE id = "
              + Sql.literal(rollout)
              + "))");
    }
    d.then(
            "UPDATE "
                + SCHEMA
                + ".steps SET state = 'skipped' WHERE rollout_id = "
                + Sql.literal(rollout)
                + " AND state = 'pending'")
        .then(
            "INSERT INTO "
                + SCHEMA
                + ".steps (rollout_id, seq, env, action, phase, target,"
                + " gate, rollback, allow_data_loss) VALUES "
                + String.join(", ", values))
        .must(
            "UPDATE "
                + SCHEMA
                + ".rollouts SET state = 'rolling_back', error = "
                + Sql.literal(reason)
                + ", updated_at = now() WHERE id = "
                + Sql.literal(rollout)
                + " AND state IN ('running', 'waiting', 'rolling_back')")
        .log(
            rollout,
            null,
            "rollback_started",
            "back to the starting revision in " + String.join(", ", back));
    if (!decisions.commit(d, rollout, "rolling back")) {
      return false;
    }
    // The line names the failed step's environment and number, as a JSON log's fields too.
    try (var context =
        dev.convoy.rollout.LogContext.of(
            rollout, failedEnv, failed == null ? null : failed.getInteger(0), null)) {
      log.warn("{} - rollout {}: {}; rolling back {}", id, rollout, reason, back);
    }
    return true;
  }

  /** How far the forward steps of the environments in {@code envs} went. */
  private static java.util.Map<String, List<String>> reached(List<Row> steps, List<String> envs) {
    List<JsonObject> rows = new ArrayList<>();
    for (Row s : steps) {
      if (envs.contains(s.getString(1))) {
        rows.add(
            new JsonObject()
                .put("env", s.getString(1))
                .put("target", s.getString(4))
                .put("rollback", s.getBoolean(6))
                .put("state", s.getString(7)));
      }
    }
    return RollbackGuard.reached(rows);
  }
}
