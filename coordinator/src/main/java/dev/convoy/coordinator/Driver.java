package dev.convoy.coordinator;

import static dev.convoy.coordinator.ControlStore.SCHEMA;

import dev.convoy.ops.Sql;
import dev.convoy.rollout.Event;
import dev.convoy.rollout.Keys;
import dev.convoy.rollout.Signer;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import io.vertx.sqlclient.Row;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * The leader's rollout state machine. Each tick reads every active rollout from the control
 * database and moves it one decision on: pass a gate ({@link GateKeeper}: a stage's auto, soak or
 * approval, an expand-first wave's contract gate (the deploy window), or a contract step's {@link
 * DrainGate versions-drained} gate) and send the next step's command to its environment's stream;
 * finish the rollout when every step succeeded; on a failed or rejected step, stop and append
 * rollback steps by policy (every touched environment, or only the failed one, in reverse stage
 * order, back to all of its starting heads; a rollback step the agent refuses because it would drop
 * rows waits at a {@link DataLossGate}). Step outcomes come from {@link #apply(Event)}. Everything
 * it decides is written to the control database first, so a coordinator that takes over continues
 * exactly there; a step sent by an earlier term and not answered is sent again with the new epoch.
 * Each decision is one {@link Decision}: one transaction, conditional on the rollout's state as
 * read and on the leader's epoch being the current term, so an API call or a newer leader that
 * decided first is never overwritten.
 */
final class Driver {
  /** A step not heard of (no event, no heartbeat naming it) for this long is sent again. */
  static final java.time.Duration SILENCE = java.time.Duration.ofSeconds(10);

  private final ControlStore store;
  private final CoordinatorMetrics metrics;
  private final Clock clock;
  private final StepSender sender;
  private final GateKeeper gates;
  private final DataLossGate dataLoss;
  private final Decisions decisions;
  private final RollbackStart rollbackStart;

  Driver(
      Lease lease,
      String id,
      ControlStore store,
      Redis redis,
      Keys keys,
      Signer signer,
      List<String> environments,
      CoordinatorMetrics metrics,
      Clock clock,
      RollbackGuard guard) {
    this(lease, id, store, redis, keys, signer, environments, metrics, clock, guard, null);
  }

  /** With the versions-drained gate (null: a step behind one waits, saying why). */
  Driver(
      Lease lease,
      String id,
      ControlStore store,
      Redis redis,
      Keys keys,
      Signer signer,
      List<String> environments,
      CoordinatorMetrics metrics,
      Clock clock,
      RollbackGuard guard,
      DrainGate drain) {
    this.store = store;
    this.metrics = metrics;
    this.clock = clock;
    this.sender = new StepSender(lease, id, store, redis, keys, signer);
    this.gates = new GateKeeper(store, drain);
    this.dataLoss = new DataLossGate(store);
    this.decisions = new Decisions(id, store);
    this.rollbackStart = new RollbackStart(id, environments, guard, decisions);
  }

  /** One decision for every active rollout, as the leader of {@code epoch}. */
  void tick(long epoch) {
    List<Row> active =
        store.rows(
            "SELECT id, state, rollback_policy, revisions::text, start_heads::text FROM "
                + SCHEMA
                + ".rollouts WHERE state IN ('running', 'waiting', 'rolling_back') ORDER BY"
                + " created_at");
    metrics.activeRollouts(active.size());
    for (Row r : active) {
      // Every line logged while deciding about this rollout names it and the term.
      try (var context = dev.convoy.rollout.LogContext.of(r.getString(0), null, null, epoch)) {
        advance(
            epoch,
            r.getString(0),
            r.getString(1),
            r.getString(2),
            r.getString(3),
            new JsonObject(r.getString(4)));
      }
    }
  }

  private void advance(
      long epoch,
      String rollout,
      String state,
      String policy,
      String revisions,
      JsonObject startHeads) {
    List<Row> steps =
        store.rows(
            "SELECT seq, env, action, phase, target, gate, rollback, state, epoch,"
                + " finished_at, coalesce(heard_at, sent_at) < now() - interval '"
                + SILENCE.toMillis()
                + " milliseconds', wave, allow_data_loss, message, code, drain_ms FROM "
                + SCHEMA
                + ".steps WHERE rollout_id = "
                + Sql.literal(rollout)
                + " ORDER BY seq");
    // While rolling back only the rollback steps count; skipped steps never run. A rollback waits
    // (state waiting) at a data-loss approval and is still a rollback.
    boolean rollingBack =
        state.equals("rolling_back") || steps.stream().anyMatch(x -> x.getBoolean(6));
    Row failed = null;
    Row next = null;
    Instant previousFinished = null;
    for (Row s : steps) {
      String st = s.getString(7);
      if (st.equals("skipped") || rollingBack && !s.getBoolean(6)) {
        continue;
      }
      if ((st.equals("failed") || st.equals("rejected")) && failed == null) {
        failed = s;
      }
      if (next == null && !st.equals("succeeded")) {
        next = s;
      }
      if (next == null && s.getValue(9) != null) {
        previousFinished = s.getOffsetDateTime(9).toInstant();
      }
    }
    if (rollingBack && steps.stream().noneMatch(x -> x.getBoolean(6))) {
      // Rollback asked for through the API: let a step in flight finish first, so its command
      // cannot land after the rollback's in the same environment.
      if (steps.stream().anyMatch(x -> List.of("sent", "running").contains(x.getString(7)))) {
        return;
      }
      if (rollbackStart.start(
          decisions.decide(epoch, rollout, state), rollout, "all", null, steps, startHeads)) {
        metrics.rollback();
      }
      return;
    }
    if (failed != null && failed.getBoolean(6) && DataLossGate.CODE.equals(failed.getString(14))) {
      // Refused by the agent's data-loss guard, nothing changed: wait for a person's approval.
      decisions.commit(
          decisions
              .decide(epoch, rollout, state)
              .must(
                  dataLoss.requeueSql(
                      rollout, failed.getInteger(0), failed.getString(1), failed.getString(13))),
          rollout,
          "waiting for a data-loss approval");
      return;
    }
    if (failed != null && failed.getBoolean(6)) {
      decisions.finish(
          decisions.decide(epoch, rollout, state),
          rollout,
          "failed",
          "rollback step "
              + failed.getInteger(0)
              + " in "
              + failed.getString(1)
              + " failed; the environment needs a person");
      return;
    }
    if (failed != null && !rollingBack) {
      // Counted when it starts, so a rollback that stalls at a data-loss gate or fails is seen.
      if (rollbackStart.start(
          decisions.decide(epoch, rollout, state), rollout, policy, failed, steps, startHeads)) {
        metrics.rollback();
      }
      return;
    }
    if (next == null) {
      decisions.finish(
          decisions.decide(epoch, rollout, state),
          rollout,
          rollingBack ? "rolled_back" : "succeeded",
          null);
      return;
    }
    String st = next.getString(7);
    if (st.equals("pending")) {
      GateKeeper.Hold hold = gates.hold(rollout, next, previousFinished, clock.instant());
      if (hold != null) {
        if (hold.visible() && !state.equals("waiting")) {
          decisions.commit(
              decisions
                  .decide(epoch, rollout, state)
                  .must(Decisions.setState(rollout, state, "waiting"))
                  .log(rollout, hold.env(), hold.event(), hold.message()),
              rollout,
              "waiting");
        }
        return;
      }
      Decision d = decisions.decide(epoch, rollout, state);
      if (state.equals("waiting")) {
        d.must(Decisions.setState(rollout, state, rollingBack ? "rolling_back" : "running"));
      }
      sender.send(d, epoch, rollout, next, revisions);
    } else if (st.equals("sent") || st.equals("running")) {
      Long sentEpoch = next.getLong(8);
      if (sentEpoch == null || sentEpoch < epoch || Boolean.TRUE.equals(next.getBoolean(10))) {
        // Sent by an earlier term (the agent may never have seen it, or refuse it now), or not
        // heard of for a while (Redis lost it, or its agent died with no standby): send it again.
        // Applying is idempotent, so an agent still working on it only finds it done.
        sender.send(decisions.decide(epoch, rollout, state), epoch, rollout, next, revisions);
      }
    }
  }
}
