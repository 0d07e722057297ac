package dev.convoy.coordinator;

import static dev.convoy.coordinator.ControlStore.SCHEMA;

import dev.convoy.ops.Sql;
import io.vertx.sqlclient.Row;
import java.time.Instant;

/**
 * Whether the driver may send a pending step, by its gate: a stage gate ({@code auto}, {@code
 * approval} of its environment, {@code soak:} after the step before it), the contract gate of an
 * expand-first wave (released in the control database, or its soak run out), or a rollback step's
 * {@link DataLossGate data-loss} approval; then, on a contract step that carries one, the {@link
 * DrainGate versions-drained} gate. Reads the control database, so a new leader decides as the old
 * one would have; the drain gate reads the versions this coordinator has heard reported, so a new
 * leader waits for a whole quiet time of its own reports.
 */
final class GateKeeper {
  /** Why a step waits; {@code visible} holds make the rollout {@code waiting} and log an event. */
  record Hold(boolean visible, String env, String event, String message) {}

  private final ControlStore store;
  private final Releases releases;
  private final DrainGate drain;

  /** With the versions-drained gate ({@code drain}; null: such a step waits, saying why). */
  GateKeeper(ControlStore store, DrainGate drain) {
    this.store = store;
    this.releases = new Releases(store);
    this.drain = drain;
  }

  /**
   * Null when {@code step} (a driver's steps row: seq, env, .., target at 4, gate at 5, wave at 11,
   * allow_data_loss at 12, message at 13, drain_ms at 15) may go now; else why not.
   */
  Hold hold(String rollout, Row step, Instant previousFinished, Instant now) {
    Hold gate = gate(rollout, step, previousFinished, now);
    return gate != null ? gate : drained(rollout, step, now);
  }

  /** The versions-drained hold of a contract step that carries one; null when it may go. */
  private Hold drained(String rollout, Row step, Instant now) {
    Long quietMs = step.getLong(15);
    if (quietMs == null) {
      return null;
    }
    String env = step.getString(1);
    if (drain == null) {
      return new Hold(
          true,
          env,
          DrainGate.EVENT,
          "waiting for versions to drain in " + env + ": this coordinator does not track them");
    }
    DrainGate.Verdict v =
        drain.check(
            rollout, env, step.getInteger(11), step.getString(4), quietMs, now.toEpochMilli());
    return v.open() ? null : new Hold(true, env, DrainGate.EVENT, v.message());
  }

  private Hold gate(String rollout, Row step, Instant previousFinished, Instant now) {
    String gate = step.getString(5);
    String env = step.getString(1);
    if (ContractGate.is(gate)) {
      String contract = ContractGate.of(gate);
      int wave = step.getInteger(11);
      // A versions-drained contract gate is its steps' drain_ms, checked after this one.
      if (contract.equals("auto")
          || DrainGate.is(contract)
          || contract.startsWith("soak:") && Gate.soaked(contract, previousFinished, now)
          || releases.released(rollout, wave)) {
        return null;
      }
      return new Hold(
          true,
          null,
          "waiting_for_deploy",
          Waiting.DEPLOY
              + ", wave "
              + wave
              + ", contract gate "
              + contract
              + "; released by "
              + ContractGate.releasedBy(rollout, contract));
    }
    if (gate.equals(DataLossGate.GATE)) {
      // A rollback step that would drop rows goes only once approved with allow-data-loss.
      return step.getBoolean(12)
          ? null
          : new Hold(
              true, env, "waiting_for_data_loss", DataLossGate.message(env, step.getString(13)));
    }
    if (gate.equals("approval") && !approved(rollout, env)) {
      return new Hold(true, env, "waiting", "approval needed before " + env);
    }
    if (!Gate.soaked(gate, previousFinished, now)) {
      return new Hold(false, env, null, null);
    }
    return null;
  }

  private boolean approved(String rollout, String env) {
    return !store
        .rows(
            "SELECT 1 FROM "
                + SCHEMA
                + ".approvals WHERE rollout_id = "
                + Sql.literal(rollout)
                + " AND env = "
                + Sql.literal(env))
        .isEmpty();
  }
}
