package dev.convoy.coordinator;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * An environment's three phases within a rollout (expand, backfill, contract) with their states,
 * for the console's lanes. Derived from the environment's forward steps: an expand-first rollout
 * expands (and backfills) in its {@code expand} steps and contracts in its {@code all} steps; a
 * per-environment rollout runs all three in one {@code all} step, so its phases share that step's
 * state. The backfill phase is {@code none} when its step finished without a backfill to run.
 * States: pending, running, partial (some waves done), done, failed, none.
 */
final class StagePhases {
  private StagePhases() {}

  static JsonArray of(List<JsonObject> forward) {
    List<JsonObject> expand = forward.stream().filter(s -> phase(s, "expand")).toList();
    List<JsonObject> all = forward.stream().filter(s -> phase(s, "all")).toList();
    List<JsonObject> expanding = expand.isEmpty() ? all : expand;
    return new JsonArray()
        .add(phase("expand", state(expanding), expand.isEmpty() ? null : seconds(expand)))
        .add(backfill(expanding))
        .add(phase("contract", state(all), expand.isEmpty() ? null : seconds(all)));
  }

  private static JsonObject backfill(List<JsonObject> steps) {
    List<JsonObject> filled = steps.stream().filter(s -> s.getValue("rows_done") != null).toList();
    String state = state(steps);
    if (filled.isEmpty()) {
      // A step that ended without reporting rows had nothing to backfill.
      state = state.equals("done") ? "none" : state.equals("running") ? "pending" : state;
      return phase("backfill", state, null);
    }
    double seconds = 0;
    for (JsonObject s : filled) {
      seconds += s.getDouble("backfill_seconds", 0.0);
    }
    return phase("backfill", state, Math.round(seconds * 10) / 10.0);
  }

  private static boolean phase(JsonObject step, String phase) {
    return phase.equals(step.getString("phase"));
  }

  private static JsonObject phase(String phase, String state, Double seconds) {
    return new JsonObject().put("phase", phase).put("state", state).put("seconds", seconds);
  }

  /** The state of a phase run by {@code steps}. */
  static String state(List<JsonObject> steps) {
    int done = 0;
    boolean running = false;
    for (JsonObject s : steps) {
      switch (s.getString("state")) {
        case "failed", "rejected" -> {
          return "failed";
        }
        case "sent", "running" -> running = true;
        case "succeeded", "skipped" -> done++;
        default -> {}
      }
    }
    if (running) {
      return "running";
    }
    if (steps.isEmpty() || done == 0) {
      return "pending";
    }
    return done == steps.size() ? "done" : "partial";
  }

  /** Total seconds of the finished steps, or null when none has finished. */
  private static Double seconds(List<JsonObject> steps) {
    Double total = null;
    for (JsonObject s : steps) {
      if (s.getDouble("seconds") != null) {
        total = (total == null ? 0 : total) + s.getDouble("seconds");
      }
    }
    return total == null ? null : Math.round(total * 1000) / 1000.0;
  }
}
