package dev.convoy.coordinator;

import static dev.convoy.coordinator.ControlStore.SCHEMA;

import dev.convoy.ops.Sql;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * What the API's {@code approve} and {@code deployed} calls release. {@code deployed} opens the
 * contract gate (any kind) a rollout has reached, and is refused (409) anywhere else: before the
 * gate the new application must not be out yet, so a deploy pipeline calling it early is told, not
 * remembered. {@code approve} opens an {@code approval} contract gate the rollout has reached, or
 * else approves a stage (the named one, or the next with an approval gate) as before. Approving
 * needs an active rollout and, for a named stage, an environment the coordinator has (else 400)
 * with an approval gate still ahead (else 409): an approval that could never be used is refused,
 * not recorded.
 */
final class GateRelease {
  private final ControlStore store;
  private final Releases releases;
  private final List<String> environments;

  GateRelease(ControlStore store, List<String> environments) {
    this.store = store;
    this.releases = new Releases(store);
    this.environments = environments;
  }

  /** {@code POST /api/rollouts/{id}/deployed}. */
  void deployed(JsonObject r, String by) {
    String id = r.getString("id");
    JsonObject step = reachedContractGate(r);
    String gate = ContractGate.of(step.getString("gate"));
    int wave = step.getInteger("wave");
    releases.record(
        id,
        wave,
        "deployed",
        by,
        "deployed",
        "the new application is deployed (wave "
            + wave
            + ", contract gate "
            + gate
            + "); released by "
            + by);
  }

  /**
   * {@code POST /api/rollouts/{id}/approve[?env=ENV][&allow_data_loss=true]}. With allow-data-loss
   * it releases only a rollback's {@link DataLossGate}; a plain approve never does.
   */
  void approve(JsonObject r, String env, String by, boolean allowDataLoss) {
    String id = r.getString("id");
    if (env != null && !environments.contains(env)) {
      throw ApiError.invalid(
          "env",
          "one of the environments " + String.join(", ", environments),
          "no environment '"
              + JsonBody.oneLine(env)
              + "'; this coordinator's environments are "
              + String.join(", ", environments));
    }
    if (!Waiting.active(r)) {
      throw new Conflict(
          "rollout " + id + " is " + r.getString("state") + ": there is nothing left to approve",
          "state",
          "an active rollout (running, waiting or paused)");
    }
    if (allowDataLoss) {
      new DataLossGate(store).approve(r, by);
      return;
    }
    JsonObject loss = DataLossGate.waitingStep(r);
    if (loss != null) {
      throw DataLossGate.plainApproveRefused(r, loss);
    }
    if (env == null && Waiting.atContractGate(r) != null) {
      JsonObject step = reachedContractGate(r);
      String gate = ContractGate.of(step.getString("gate"));
      if (!ContractGate.approvable(gate)) {
        throw new Conflict(
            "rollout "
                + id
                + " waits for the deploy at contract gate '"
                + gate
                + "', which approve does not release; it is released by "
                + ContractGate.releasedBy(id, gate));
      }
      int wave = step.getInteger("wave");
      releases.record(
          id,
          wave,
          "approve",
          by,
          "approved",
          "contract gate approval (wave " + wave + ") released by " + by);
      return;
    }
    String stage = env == null ? nextApproval(r, null) : nextApproval(r, env);
    if (stage == null) {
      throw new Conflict(
          env == null
              ? "rollout " + id + " has no approval gate ahead: nothing waits for an approval"
              : "rollout " + id + " has no approval gate ahead in " + env + ": nothing to approve",
          env == null ? "state" : "env",
          "a stage whose approval gate is still ahead");
    }
    store.run(
        "INSERT INTO "
            + SCHEMA
            + ".approvals (rollout_id, env) VALUES ("
            + Sql.literal(id)
            + ", "
            + Sql.literal(stage)
            + ") ON CONFLICT DO NOTHING");
    store.log(id, stage, "approved", "by " + by);
  }

  /** The contract step whose gate {@code r} waits at, or a 409 saying where the rollout is. */
  private static JsonObject reachedContractGate(JsonObject r) {
    String id = r.getString("id");
    JsonObject step = Waiting.atContractGate(r);
    if (step != null && !ContractGate.of(step.getString("gate")).equals("auto")) {
      return step;
    }
    JsonObject next = Waiting.next(r.getJsonArray("steps"));
    String where =
        !Waiting.active(r) || next == null
            ? r.getString("state")
            : r.getString("state")
                + ", at step "
                + next.getInteger("seq")
                + " ("
                + (next.getString("phase").equals("expand")
                    ? "expand"
                    : r.getString("strategy").equals("expand-first") ? "contract" : "upgrade")
                + " in "
                + next.getString("env")
                + ", "
                + next.getString("state")
                + ")";
    throw new Conflict(
        "rollout "
            + id
            + " is not waiting at a contract gate (it is "
            + where
            + "); the deploy call releases the deploy window once expand has finished in"
            + " every environment: see 'convoy rollout status "
            + id
            + "'");
  }

  /** The first environment (or {@code env}) with a pending step behind an approval gate. */
  private static String nextApproval(JsonObject r, String env) {
    for (Object o : r.getJsonArray("steps")) {
      JsonObject s = (JsonObject) o;
      if (s.getString("state").equals("pending")
          && "approval".equals(s.getString("gate"))
          && (env == null || env.equals(s.getString("env")))) {
        return s.getString("env");
      }
    }
    return null;
  }
}
