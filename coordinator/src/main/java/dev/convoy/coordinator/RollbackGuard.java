package dev.convoy.coordinator;

import dev.convoy.graph.Planner;
import dev.convoy.graph.RevisionGraph;
import dev.convoy.migration.Migration;
import dev.convoy.migration.Reversibility;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Whether a rollout may be rolled back: the way back of an environment must not cross a revision
 * that cannot be undone (marked {@code irreversible: true}). An environment's heads are its agents'
 * latest heartbeat, or when none is fresh, the furthest target its steps reached; the agent refuses
 * such a downgrade itself too, this only says so before anything is sent.
 */
final class RollbackGuard {
  private final Supplier<RevisionGraph> graph;
  private final Supplier<Map<String, List<String>>> liveHeads;

  RollbackGuard(Supplier<RevisionGraph> graph, Supplier<Map<String, List<String>>> liveHeads) {
    this.graph = graph;
    this.liveHeads = liveHeads;
  }

  /**
   * Why the rollback cannot run, one sentence per environment that would cross an irreversible
   * revision; empty when it can. {@code reached}: each touched environment's furthest target;
   * {@code start}: where the rollback returns each to.
   */
  List<String> refusals(Map<String, List<String>> reached, Map<String, List<String>> start) {
    RevisionGraph g;
    try {
      g = graph.get();
    } catch (RuntimeException e) {
      return List.of(); // a broken directory is reported where it is used; the agents check too
    }
    Map<String, List<String>> live = liveHeads.get();
    List<String> out = new ArrayList<>();
    for (var e : reached.entrySet()) {
      String env = e.getKey();
      List<String> now = live.getOrDefault(env, e.getValue());
      List<Migration> crossing;
      try {
        crossing = new Planner(g).irreversibleBetween(now, start.getOrDefault(env, List.of()));
      } catch (RuntimeException unknown) {
        continue; // heads this directory does not know: the agent decides
      }
      if (!crossing.isEmpty()) {
        out.add(
            "bringing "
                + env
                + " back would cross "
                + Reversibility.refusal(crossing.get(0)).orElse(crossing.get(0).revision()));
      }
    }
    return out;
  }

  /**
   * How far each environment's forward steps went: the target of its last step that was sent, from
   * a rollout's steps ({@code env}, {@code target}, {@code rollback}, {@code state}).
   */
  static Map<String, List<String>> reached(Iterable<io.vertx.core.json.JsonObject> steps) {
    Map<String, List<String>> out = new java.util.LinkedHashMap<>();
    for (io.vertx.core.json.JsonObject s : steps) {
      String state = s.getString("state");
      if (!s.getBoolean("rollback", false)
          && !state.equals("pending")
          && !state.equals("skipped")) {
        out.put(s.getString("env"), List.of(s.getString("target").split(",")));
      }
    }
    return out;
  }

  /** Each environment's starting heads, from a rollout's {@code start_heads}. */
  static Map<String, List<String>> start(io.vertx.core.json.JsonObject startHeads) {
    Map<String, List<String>> out = new java.util.LinkedHashMap<>();
    startHeads.forEach(
        e ->
            out.put(
                e.getKey(),
                ((io.vertx.core.json.JsonArray) e.getValue())
                    .stream().map(String::valueOf).toList()));
    return out;
  }

  /** The refusals as one message, with what a person can do instead. */
  static String message(List<String> refusals) {
    return "rollback refused: "
        + String.join("; ", refusals)
        + ". Nothing was sent; roll forward, or undo the change with a new revision and roll that"
        + " out";
  }
}
