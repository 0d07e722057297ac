package dev.convoy.coordinator;

import static dev.convoy.coordinator.ControlStore.SCHEMA;

import dev.convoy.ops.Sql;
import dev.convoy.rollout.Event;
import dev.convoy.rollout.Keys;
import dev.convoy.rollout.Signer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import io.vertx.sqlclient.Row;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's rollout state machine. Each tick reads every active rollout from the control
 * database and moves it one decision on: pass a gate ({@link GateKeeper}: a stage's auto, soak or
 * approval, or an expand-first wave's contract gate, the deploy window) and send the next step's
 * command to its environment's stream; finish the rollout when every step succeeded; on a failed or
 * rejected step, stop and append rollback steps by policy (every touched environment, or only the
 * failed one, in reverse stage order, back to all of its starting heads; a rollback step the agent
 * refuses because it would drop rows waits at a {@link DataLossGate}). Step outcomes come from
 * {@link #apply(Event)}. Everything it decides is written to the control database first, so a
 * coordinator that takes over continues exactly there; a step sent by an earlier term and not
 * answered is sent again with the new epoch. Each decision is one {@link Decision}: one
 * transaction, conditional on the rollout's state as read and on the leader's epoch being the
 * current term, so an API call or a newer leader that decided first is never overwritten.
 */
final class Driver {
  private static final Logger log = LoggerFactory.getLogger(Driver.class);

  /** A step not heard of (no event, no heartbeat naming it) for this long is sent again. */
  static final java.time.Duration SILENCE = java.time.Duration.ofSeconds(10);

  private final ControlStore store;
  private final List<String> environments;
  private final CoordinatorMetrics metrics;
  private final Clock clock;
  private final String id;
  private final StepSender sender;
  private final RollbackGuard guard;
  private final GateKeeper gates;
  private final DataLossGate dataLoss;

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
    this.guard = guard;
    this.id = id;
    this.store = store;
    this.environments = environments;
    this.metrics = metrics;
    this.clock = clock;
    this.sender = new StepSender(lease, id, store, redis, keys, signer);
    this.gates = new GateKeeper(store);
    this.dataLoss = new DataLossGate(store);
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
      advance(
          epoch,
          r.getString(0),
          r.getString(1),
          r.getString(2),
          r.getString(3),
          new JsonObject(r.getString(4)));
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
                + " milliseconds', wave, allow_data_loss, message, code FROM "
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
      startRollback(decide(epoch, rollout, state), rollout, "all", null, steps, startHeads);
      return;
    }
    if (failed != null && failed.getBoolean(6) && DataLossGate.CODE.equals(failed.getString(14))) {
      // Refused by the agent's data-loss guard, nothing changed: wait for a person's approval.
      commit(
          decide(epoch, rollout, state)
              .must(
                  dataLoss.requeueSql(
                      rollout, failed.getInteger(0), failed.getString(1), failed.getString(13))),
          rollout,
          "waiting for a data-loss approval");
      return;
    }
    if (failed != null && failed.getBoolean(6)) {
      finish(
          decide(epoch, rollout, state),
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
      startRollback(decide(epoch, rollout, state), rollout, policy, failed, steps, startHeads);
      return;
    }
    if (next == null) {
      boolean done =
          finish(
              decide(epoch, rollout, state),
              rollout,
              rollingBack ? "rolled_back" : "succeeded",
              null);
      if (done && rollingBack) {
        metrics.rollback();
      }
      return;
    }
    String st = next.getString(7);
    if (st.equals("pending")) {
      GateKeeper.Hold hold = gates.hold(rollout, next, previousFinished, clock.instant());
      if (hold != null) {
        if (hold.visible() && !state.equals("waiting")) {
          commit(
              decide(epoch, rollout, state)
                  .must(setState(rollout, state, "waiting"))
                  .log(rollout, hold.env(), hold.event(), hold.message()),
              rollout,
              "waiting");
        }
        return;
      }
      Decision d = decide(epoch, rollout, state);
      if (state.equals("waiting")) {
        d.must(setState(rollout, state, rollingBack ? "rolling_back" : "running"));
      }
      sender.send(d, epoch, rollout, next, revisions);
    } else if (st.equals("sent") || st.equals("running")) {
      Long sentEpoch = next.getLong(8);
      if (sentEpoch == null || sentEpoch < epoch || Boolean.TRUE.equals(next.getBoolean(10))) {
        // Sent by an earlier term (the agent may never have seen it, or refuse it now), or not
        // heard of for a while (Redis lost it, or its agent died with no standby): send it again.
        // Applying is idempotent, so an agent still working on it only finds it done.
        sender.send(decide(epoch, rollout, state), epoch, rollout, next, revisions);
      }
    }
  }

  /**
   * A decision about {@code rollout} as the leader of {@code epoch}, made on the rollout as read in
   * {@code state}: it commits only if the rollout is still in that state (its row locked, so an API
   * call waits for the decision and then finds the state it left) and the epoch is still current.
   */
  private Decision decide(long epoch, String rollout, String state) {
    return new Decision(store, epoch)
        .must(
            "SELECT 1 FROM "
                + SCHEMA
                + ".rollouts WHERE id = "
                + Sql.literal(rollout)
                + " AND state = "
                + Sql.literal(state)
                + " FOR UPDATE");
  }

  /** Commits {@code d}; when it matched nothing, someone else decided: read again next tick. */
  private boolean commit(Decision d, String rollout, String what) {
    if (d.commit()) {
      return true;
    }
    log.info(
        "{} - rollout {}: not {}, someone else decided first ({}); reading it again",
        id,
        rollout,
        what,
        d.refusal());
    return false;
  }

  private void startRollback(
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
      finish(
          d,
          rollout,
          "failed",
          reason + "; rollback policy " + policy + " leaves every environment as it is");
      return;
    }
    List<String> refusals = guard.refusals(reached(steps, back), RollbackGuard.start(startHeads));
    if (!refusals.isEmpty()) {
      // Every environment stays where it is, consistent, and a person decides.
      d.log(rollout, null, "rollback_refused", RollbackGuard.message(refusals));
      finish(d, rollout, "failed", reason + "; " + RollbackGuard.message(refusals));
      return;
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
    if (commit(d, rollout, "rolling back")) {
      log.warn("{} - rollout {}: {}; rolling back {}", id, rollout, reason, back);
    }
  }

  /** The conditional update moving {@code rollout} from {@code from} to {@code to}. */
  private static String setState(String rollout, String from, String to) {
    return "UPDATE "
        + SCHEMA
        + ".rollouts SET state = "
        + Sql.literal(to)
        + ", updated_at = now() WHERE id = "
        + Sql.literal(rollout)
        + " AND state = "
        + Sql.literal(from);
  }

  /** Ends {@code rollout} as {@code state}, as part of {@code d} (whose lock names its state). */
  private boolean finish(Decision d, String rollout, String state, String error) {
    d.must(
            "UPDATE "
                + SCHEMA
                + ".rollouts SET state = "
                + Sql.literal(state)
                + (error == null ? "" : ", error = " + Sql.literal(error))
                + ", updated_at = now() WHERE id = "
                + Sql.literal(rollout)
                + " AND state IN ('running', 'waiting', 'rolling_back')")
        .log(rollout, null, "rollout_" + state, error);
    if (commit(d, rollout, state)) {
      log.info("{} - rollout {} {}", id, rollout, state);
      return true;
    }
    return false;
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
