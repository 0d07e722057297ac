package dev.convoy.coordinator;

import static dev.convoy.coordinator.ControlStore.SCHEMA;

import dev.convoy.ops.Sql;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A rollout as the API shows it: its row, a stage per environment (derived from its steps), the
 * steps, the wave it is in and, while it waits at a gate, what it waits for ({@link Waiting}). An
 * active rollout's stages also carry their environment's live versions (from its agents'
 * heartbeats), for a wait at a versions-drained gate.
 */
final class RolloutJson {
  private final ControlStore store;
  private final List<String> environments;
  private final Clock clock;
  private final Roster roster;
  private final DrainGate drain;

  RolloutJson(ControlStore store, List<String> environments, Clock clock) {
    this(store, environments, clock, null, null);
  }

  /**
   * With the agents heard from, so a stage whose agent went silent says so, and the
   * versions-drained gate, so a wait at it is described (either null: not shown).
   */
  RolloutJson(
      ControlStore store, List<String> environments, Clock clock, Roster roster, DrainGate drain) {
    this.store = store;
    this.environments = environments;
    this.clock = clock;
    this.roster = roster;
    this.drain = drain;
  }

  /** The rollout {@code id}, or null when there is none. */
  JsonObject describe(String id) {
    List<Row> r =
        store.rows(
            "SELECT id, target, target_heads::text, strategy, rollback_policy, state,"
                + " start_heads::text, error, created_at::text, updated_at::text, contract_gate,"
                + " waves, start_read::text, started_by,"
                + " extract(epoch FROM (CASE WHEN state IN "
                + Rollouts.ACTIVE_SQL
                + " THEN now() ELSE updated_at END) - created_at)::float8 FROM "
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
    Map<String, List<JsonObject>> forward = new LinkedHashMap<>();
    for (Row s :
        store.rows(
            "SELECT seq, env, action, phase, target, gate, rollback, state, epoch, sent_at::text,"
                + " finished_at::text, seconds, rows_done, rows_total, heads::text, message, wave,"
                + " allow_data_loss, code, rows_before, total_before, backfill_from,"
                + " extract(epoch FROM progress_at - backfill_started_at)::float8, drain_ms"
                + " FROM "
                + SCHEMA
                + ".steps WHERE rollout_id = "
                + Sql.literal(id)
                + " ORDER BY seq")) {
      JsonObject step = step(s);
      steps.add(step);
      JsonObject stage = stages.get(s.getString(1));
      if (stage != null) {
        stage.put("state", Stage.state(stage.getString("state"), step));
        JsonArray reached = reached(s);
        if (reached != null) {
          stage.put("revision", reached);
        }
        BackfillFigures figures = figures(s);
        if (figures != null) {
          // The stage shows its latest backfill, running or finished: a later step without one
          // (a contract) does not hide it.
          figures.into(stage, s.getString(7)).put("backfill_seq", s.getInteger(0));
        }
        if (!s.getBoolean(6)) {
          forward.computeIfAbsent(s.getString(1), k -> new ArrayList<>()).add(step);
        }
      }
    }
    stages.forEach(
        (env, stage) -> stage.put("phases", StagePhases.of(forward.getOrDefault(env, List.of()))));
    JsonObject out =
        new JsonObject()
            .put("id", row.getString(0))
            .put("target", row.getString(1))
            .put("target_heads", new JsonArray(row.getString(2)))
            .put("strategy", row.getString(3))
            .put("rollback", row.getString(4))
            .put("state", row.getString(5))
            .put("contract_gate", row.getString(10))
            .put("wave", Waiting.currentWave(steps))
            .put("waves", row.getInteger(11))
            .put("start_heads", new JsonObject(row.getString(6)))
            // Environments whose start_heads were read from their database, not a heartbeat.
            .put("start_heads_read", new JsonArray(row.getString(12)))
            .put("error", row.getString(7))
            .put("created_at", row.getString(8))
            .put("updated_at", row.getString(9))
            .put("started_by", row.getString(13))
            // Until now while it runs; until its last change once it ended.
            .put("duration_seconds", Math.round(row.getDouble(14) * 10) / 10.0)
            .put("stages", new JsonArray(new ArrayList<>(stages.values())))
            .put("steps", steps);
    if (row.getInteger(11) != null && row.getInteger(11) > 1) {
      // Why the release was cut into waves, as planned when it was created.
      JsonArray cuts = new JsonArray();
      for (Row e :
          store.rows(
              "SELECT message FROM "
                  + SCHEMA
                  + ".events WHERE rollout_id = "
                  + Sql.literal(id)
                  + " AND type = 'wave_planned' ORDER BY id")) {
        cuts.add(e.getString(0));
      }
      out.put("wave_cuts", cuts);
    }
    out.put("failure", StepFailure.of(steps));
    if (roster != null && Rollouts.ACTIVE.contains(out.getString("state"))) {
      // An active rollout's stages name an environment whose agents have gone quiet.
      for (JsonObject stage : stages.values()) {
        stage.put("agent_silence", roster.silence(stage.getString("env")));
        roster.versions().into(stage, stage.getString("env"));
      }
    }
    return out.put("waiting_for", new Waiting(store, clock, drain).describe(out));
  }

  private static BackfillFigures figures(Row s) {
    return BackfillFigures.of(
        s.getLong(12), s.getLong(13), s.getLong(19), s.getLong(20), s.getLong(21), s.getDouble(22));
  }

  /**
   * The heads a finished step left its database at, as its agent read them after the step: a
   * succeeded step's, and a failed one's too (a step over several revisions that fails at the third
   * leaves the first two applied, and the stage must say so, not its starting heads). A failed step
   * that reports no heads is passed over: the agent says so also when it could not read its
   * database, and a failed step does not take a database back to base. Null when the step says
   * nothing about where its database is.
   */
  private static JsonArray reached(Row s) {
    if (s.getString(14) == null) {
      return null;
    }
    JsonArray heads = new JsonArray(s.getString(14));
    return switch (s.getString(7)) {
      case "succeeded" -> heads;
      case "failed" -> heads.isEmpty() ? null : heads;
      default -> null;
    };
  }

  private static JsonObject step(Row s) {
    JsonObject step =
        new JsonObject()
            .put("seq", s.getInteger(0))
            .put("env", s.getString(1))
            .put("action", s.getString(2))
            .put("phase", s.getString(3))
            .put("target", s.getString(4))
            .put("gate", s.getString(5))
            .put("wave", s.getInteger(16))
            .put("rollback", s.getBoolean(6))
            .put("state", s.getString(7))
            .put("epoch", s.getLong(8))
            .put("sent_at", s.getString(9))
            .put("finished_at", s.getString(10))
            .put("seconds", s.getDouble(11))
            .put("rows_done", s.getLong(12))
            .put("rows_total", s.getLong(13))
            .put("message", s.getString(15))
            .put("code", s.getString(18))
            .put("allow_data_loss", s.getBoolean(17))
            // The quiet time of a versions-drained gate before this contract step, or null.
            .put("drain_quiet_seconds", s.getLong(23) == null ? null : s.getLong(23) / 1000.0);
    BackfillFigures figures = figures(s);
    return figures == null ? step : figures.into(step, s.getString(7));
  }
}
