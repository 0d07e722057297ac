package dev.convoy.coordinator;

import static dev.convoy.coordinator.ControlStore.SCHEMA;
import static dev.convoy.coordinator.ControlStore.lit;

import dev.convoy.error.ConvoyException;
import dev.convoy.error.ErrorCode;
import dev.convoy.graph.Planner;
import dev.convoy.graph.RevisionGraph;
import dev.convoy.ops.Sql;
import dev.convoy.rollout.Plans;
import dev.convoy.rollout.Wire;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Creating rollouts and reading them back. A rollout is planned whole when it is created: its steps
 * (environment, action, phase, gate) in order, the revisions and checksums its target needs, and
 * every environment's starting heads (from the agents' heartbeats), which a rollback returns to.
 */
final class Rollouts {
  /** States of a rollout that has not ended; at most one rollout is in one of them. */
  static final List<String> ACTIVE =
      List.of("pending", "running", "waiting", "paused", "rolling_back");

  /** {@link #ACTIVE} as an SQL list. */
  static final String ACTIVE_SQL = "('" + String.join("', '", ACTIVE) + "')";

  private final ControlStore store;
  private final List<String> environments;
  private final RolloutJson json;
  private final java.time.Duration drainQuiet;

  Rollouts(ControlStore store, List<String> environments, java.time.Clock clock) {
    this(store, environments, clock, null, null);
  }

  /**
   * With the agents heard from (null: none), for the stages' {@code agent_silence} and live
   * versions, and the {@code versions-drained} gate (null: the default quiet time, and no wait
   * described).
   */
  Rollouts(
      ControlStore store,
      List<String> environments,
      java.time.Clock clock,
      Roster roster,
      DrainGate drain) {
    this.store = store;
    this.environments = List.copyOf(environments);
    this.json = new RolloutJson(store, this.environments, clock, roster, drain);
    this.drainQuiet = drain == null ? DrainGate.DEFAULT_QUIET : drain.defaultQuiet();
  }

  /** Plans and stores a rollout; {@code heads} are the environments' current heads. */
  String create(RolloutRequest req, RevisionGraph graph, Map<String, List<String>> heads) {
    return create(req, graph, heads, null);
  }

  /** The same, naming who started it ({@code by}, or null when the caller did not say). */
  String create(
      RolloutRequest req, RevisionGraph graph, Map<String, List<String>> heads, String by) {
    for (String env : req.gates().keySet()) {
      if (!environments.contains(env)) {
        throw ApiError.invalid(
            "gates." + env,
            "one of the environments " + String.join(", ", environments),
            "gate for unknown environment '"
                + JsonBody.oneLine(env)
                + "'; environments: "
                + environments);
      }
    }
    for (String env : environments) {
      if (!heads.containsKey(env)) {
        throw new Conflict(
            "no agent of environment "
                + env
                + " is alive (no heartbeat in the last few"
                + " seconds); start one with 'convoy agent --env "
                + env
                + "'",
            "environments",
            "an agent of every environment is alive");
      }
    }
    refuseIfActive();
    List<String> targetHeads;
    try {
      targetHeads = targetHeads(graph, req.target());
    } catch (RuntimeException e) {
      // Resolving reads only the in-memory graph: whatever it refuses is the target's fault.
      throw ApiError.invalid(
          "target",
          "head, heads or a revision the coordinator's migrations hold",
          e.getMessage() == null
              ? "target '" + req.target() + "' is not a revision"
              : e.getMessage());
    }
    String id = UUID.randomUUID().toString().substring(0, 8);
    String target = String.join(",", targetHeads);
    List<List<String>> waves = RolloutPlan.waveTargets(graph, heads, targetHeads);
    List<String> values = RolloutPlan.steps(id, req, environments, waves, drainQuiet);
    JsonObject start = new JsonObject();
    heads.forEach((env, h) -> start.put(env, new JsonArray(h)));
    // One simple query without BEGIN/COMMIT: PostgreSQL runs it as one implicit transaction, which
    // an error rolls back whole (an explicit BEGIN would leave the pooled connection aborted).
    String insert =
        "INSERT INTO "
            + SCHEMA
            + ".rollouts (id, target, target_heads, strategy,"
            + " rollback_policy, state, start_heads, revisions, contract_gate, waves, started_by)"
            + " VALUES ("
            + Sql.literal(id)
            + ", "
            + Sql.literal(req.target())
            + ", "
            + json(new JsonArray(targetHeads).encode())
            + ", "
            + Sql.literal(req.strategy())
            + ", "
            + Sql.literal(req.rollback())
            + ", 'running', "
            + json(start.encode())
            + ", "
            + json(Wire.write(Plans.revisions(graph, targetHeads)))
            + ", "
            + ControlStore.lit(req.contractGate())
            + ", "
            + waves.size()
            + ", "
            + ControlStore.lit(by)
            + ");"
            + " INSERT INTO "
            + SCHEMA
            + ".steps (rollout_id, seq, env, action, phase, target, gate, wave, drain_ms)"
            + " VALUES "
            + String.join(", ", values);
    try {
      store.run(insert);
    } catch (ConvoyException e) {
      if (String.valueOf(e.getMessage()).contains(ControlStore.ONE_ACTIVE)) {
        refuseIfActive(); // another start won the race: name it
      }
      throw e;
    }
    store.log(
        id,
        null,
        "rollout_started",
        "to "
            + target
            + " ("
            + req.strategy()
            + (req.contractGate() == null ? "" : ", contract gate " + req.contractGate())
            + ")"
            + (by == null ? "" : " by " + by));
    if (waves.size() > 1 && !req.strategy().equals("per-environment")) {
      // Why the release is cut into waves: each cut is a revision that needs an earlier contract.
      List<dev.convoy.phases.ExpandOrder.Wave> planned =
          RolloutPlan.waves(graph, heads, targetHeads);
      for (int w = 1; w < planned.size(); w++) {
        store.log(
            id,
            null,
            "wave_planned",
            "wave "
                + (w + 1)
                + " of "
                + planned.size()
                + ": "
                + planned.get(w).because().describe());
      }
    }
    return id;
  }

  /** A 409 naming the active rollout, if there is one: one rollout at a time. */
  private void refuseIfActive() {
    List<Row> active =
        store.rows(
            "SELECT id, state FROM "
                + SCHEMA
                + ".rollouts WHERE state IN "
                + ACTIVE_SQL
                + " ORDER BY created_at LIMIT 1");
    if (!active.isEmpty()) {
      throw new Conflict(
          "rollout "
              + active.get(0).getString(0)
              + " is "
              + active.get(0).getString(1)
              + "; wait for it, or roll it back first");
    }
  }

  private static List<String> targetHeads(RevisionGraph graph, String target) {
    if (graph.isEmpty()) {
      throw bad("the coordinator's migrations directory has no revisions");
    }
    if (target.equals("head") || target.equals("heads")) {
      if (target.equals("head") && graph.heads().size() > 1) {
        throw bad(
            "the migrations have several heads ("
                + String.join(", ", graph.heads())
                + "); roll out to one of them or merge them first");
      }
      return graph.heads();
    }
    String one = new Planner(graph).resolveOne(target, List.of());
    if (one == null) {
      throw bad("target '" + target + "' is not a revision");
    }
    return List.of(one);
  }

  private static String json(String s) {
    return Sql.literal(s) + "::jsonb";
  }

  /** A rollout with its stages and steps, as the API shows it; null when there is none. */
  JsonObject describe(String id) {
    return json.describe(id);
  }

  /** The most recent rollout, or null. */
  JsonObject latest() {
    List<Row> r =
        store.rows("SELECT id FROM " + SCHEMA + ".rollouts ORDER BY created_at DESC LIMIT 1");
    return r.isEmpty() ? null : describe(r.get(0).getString(0));
  }

  /**
   * Seconds the active rollout that has waited longest has been waiting (at a gate, the deploy
   * window, or its rollback at a data-loss approval) or paused, since its state last changed; 0
   * when none is. Read on the control database's clock, so a new leader reports the same wait.
   */
  double waitingSeconds() {
    List<Row> r =
        store.rows(
            "SELECT coalesce(max(extract(epoch FROM now() - updated_at)), 0)::float8 FROM "
                + SCHEMA
                + ".rollouts WHERE state IN ('waiting', 'paused')");
    return r.isEmpty() ? 0 : r.get(0).getDouble(0);
  }

  JsonArray list() {
    JsonArray out = new JsonArray();
    for (Row r :
        store.rows("SELECT id FROM " + SCHEMA + ".rollouts ORDER BY created_at DESC LIMIT 50")) {
      out.add(describe(r.getString(0)));
    }
    return out;
  }

  static ConvoyException bad(String message) {
    return new ConvoyException(ErrorCode.BAD_INPUT, message);
  }

  static String quoted(String s) {
    return lit(s);
  }
}
