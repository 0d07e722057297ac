package dev.convoy.coordinator;

import static dev.convoy.coordinator.ControlStore.SCHEMA;
import static dev.convoy.coordinator.ControlStore.lit;

import dev.convoy.error.ConvoyException;
import dev.convoy.error.ErrorCode;
import dev.convoy.graph.Planner;
import dev.convoy.graph.RevisionGraph;
import dev.convoy.ops.Sql;
import dev.convoy.rollout.Command;
import dev.convoy.rollout.Plans;
import dev.convoy.rollout.Wire;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Creating rollouts and reading them back. A rollout is planned whole when it is created: its steps
 * (environment, action, phase, gate) in order, the revisions and checksums its target needs, and
 * every environment's starting heads (from the agents' heartbeats), which a rollback returns to.
 */
final class Rollouts {
  static final List<String> ACTIVE = List.of("pending", "running", "waiting", "rolling_back");

  private final ControlStore store;
  private final List<String> environments;

  Rollouts(ControlStore store, List<String> environments) {
    this.store = store;
    this.environments = List.copyOf(environments);
  }

  /** A validated request: what {@code POST /api/rollouts} takes. */
  record Request(String target, String strategy, Map<String, String> gates, String rollback) {
    Request {
      target = target == null || target.isBlank() ? "head" : target;
      strategy = strategy == null ? "expand-first" : strategy;
      gates = gates == null ? Map.of() : Map.copyOf(gates);
      rollback = rollback == null ? "all" : rollback;
      if (!List.of("expand-first", "per-environment").contains(strategy)) {
        throw bad("strategy '" + strategy + "' is not expand-first or per-environment");
      }
      if (!List.of("all", "failed", "none").contains(rollback)) {
        throw bad("rollback '" + rollback + "' is not all, failed or none");
      }
      for (var g : gates.entrySet()) {
        if (!Gate.valid(g.getValue())) {
          throw bad(
              "gate '"
                  + g.getValue()
                  + "' for "
                  + g.getKey()
                  + " is not auto, approval or soak:<duration> (e.g. soak:30s)");
        }
      }
    }

    static Request of(JsonObject body) {
      Map<String, String> gates = new LinkedHashMap<>();
      JsonObject g = body.getJsonObject("gates", new JsonObject());
      g.forEach(e -> gates.put(e.getKey(), String.valueOf(e.getValue())));
      return new Request(
          body.getString("target"), body.getString("strategy"), gates, body.getString("rollback"));
    }
  }

  /** Plans and stores a rollout; {@code heads} are the environments' current heads. */
  String create(Request req, RevisionGraph graph, Map<String, List<String>> heads) {
    for (String env : req.gates().keySet()) {
      if (!environments.contains(env)) {
        throw bad("gate for unknown environment '" + env + "'; environments: " + environments);
      }
    }
    for (String env : environments) {
      if (!heads.containsKey(env)) {
        throw new ConvoyException(
            ErrorCode.BAD_INPUT,
            "no agent of environment "
                + env
                + " is alive (no heartbeat in the last few"
                + " seconds); start one with 'convoy agent --env "
                + env
                + "'");
      }
    }
    List<String> targetHeads = targetHeads(graph, req.target());
    String id = UUID.randomUUID().toString().substring(0, 8);
    String target = String.join(",", targetHeads);
    List<String> values = new ArrayList<>();
    int seq = 0;
    if (req.strategy().equals("expand-first")) {
      for (String env : environments) {
        values.add(step(id, ++seq, env, Command.UPGRADE, "expand", target, gate(req, env)));
      }
      for (String env : environments) {
        values.add(step(id, ++seq, env, Command.UPGRADE, "all", target, "auto"));
      }
    } else {
      for (String env : environments) {
        values.add(step(id, ++seq, env, Command.UPGRADE, "all", target, gate(req, env)));
      }
    }
    JsonObject start = new JsonObject();
    heads.forEach((env, h) -> start.put(env, new JsonArray(h)));
    store.run(
        "BEGIN; INSERT INTO "
            + SCHEMA
            + ".rollouts (id, target, target_heads, strategy,"
            + " rollback_policy, state, start_heads, revisions) VALUES ("
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
            + ");"
            + " INSERT INTO "
            + SCHEMA
            + ".steps (rollout_id, seq, env, action, phase, target, gate)"
            + " VALUES "
            + String.join(", ", values)
            + "; COMMIT");
    store.log(id, null, "rollout_started", "to " + target + " (" + req.strategy() + ")");
    return id;
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

  private static String gate(Request req, String env) {
    return req.gates().getOrDefault(env, "auto");
  }

  private static String step(
      String id, int seq, String env, String action, String phase, String target, String gate) {
    return "("
        + Sql.literal(id)
        + ", "
        + seq
        + ", "
        + Sql.literal(env)
        + ", "
        + Sql.literal(action)
        + ", "
        + Sql.literal(phase)
        + ", "
        + Sql.literal(target)
        + ", "
        + Sql.literal(gate)
        + ")";
  }

  private static String json(String s) {
    return Sql.literal(s) + "::jsonb";
  }

  /** A rollout with its stages and steps, as the API shows it; null when there is none. */
  JsonObject describe(String id) {
    List<Row> r =
        store.rows(
            "SELECT id, target, target_heads::text, strategy, rollback_policy, state,"
                + " start_heads::text, error, created_at::text, updated_at::text FROM "
                + SCHEMA
                + ".rollouts WHERE id = "
                + Sql.literal(id));
    if (r.isEmpty()) {
      return null;
    }
    Row row = r.get(0);
    JsonArray steps = new JsonArray();
    Map<String, JsonObject> stages = new LinkedHashMap<>();
    for (String env : environments) {
      stages.put(
          env,
          new JsonObject()
              .put("env", env)
              .put("state", "pending")
              .put("revision", new JsonObject(row.getString(6)).getValue(env)));
    }
    for (Row s :
        store.rows(
            "SELECT seq, env, action, phase, target, gate, rollback, state, epoch, sent_at::text,"
                + " finished_at::text, seconds, rows_done, rows_total, heads::text, message FROM "
                + SCHEMA
                + ".steps WHERE rollout_id = "
                + Sql.literal(id)
                + " ORDER BY seq")) {
      JsonObject step =
          new JsonObject()
              .put("seq", s.getInteger(0))
              .put("env", s.getString(1))
              .put("action", s.getString(2))
              .put("phase", s.getString(3))
              .put("target", s.getString(4))
              .put("gate", s.getString(5))
              .put("rollback", s.getBoolean(6))
              .put("state", s.getString(7))
              .put("epoch", s.getLong(8))
              .put("sent_at", s.getString(9))
              .put("finished_at", s.getString(10))
              .put("seconds", s.getDouble(11))
              .put("rows_done", s.getLong(12))
              .put("rows_total", s.getLong(13))
              .put("message", s.getString(15));
      steps.add(step);
      JsonObject stage = stages.get(s.getString(1));
      if (stage != null) {
        stage.put("state", Stage.state(stage.getString("state"), step));
        if (s.getString(14) != null && "succeeded".equals(s.getString(7))) {
          stage.put("revision", new JsonArray(s.getString(14)));
        }
        if (s.getLong(12) != null) {
          stage.put("rows_done", s.getLong(12)).put("rows_total", s.getLong(13));
        }
      }
    }
    return new JsonObject()
        .put("id", row.getString(0))
        .put("target", row.getString(1))
        .put("target_heads", new JsonArray(row.getString(2)))
        .put("strategy", row.getString(3))
        .put("rollback", row.getString(4))
        .put("state", row.getString(5))
        .put("start_heads", new JsonObject(row.getString(6)))
        .put("error", row.getString(7))
        .put("created_at", row.getString(8))
        .put("updated_at", row.getString(9))
        .put("stages", new JsonArray(new ArrayList<>(stages.values())))
        .put("steps", steps);
  }

  /** The most recent rollout, or null. */
  JsonObject latest() {
    List<Row> r =
        store.rows("SELECT id FROM " + SCHEMA + ".rollouts ORDER BY created_at DESC LIMIT 1");
    return r.isEmpty() ? null : describe(r.get(0).getString(0));
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
