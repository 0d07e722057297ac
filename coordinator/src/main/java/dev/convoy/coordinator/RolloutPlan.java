package dev.convoy.coordinator;

import dev.convoy.graph.RevisionGraph;
import dev.convoy.ops.Sql;
import dev.convoy.phases.ExpandOrder;
import dev.convoy.rollout.Command;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The steps of a new rollout, as rows of the control database's {@code steps} table. An
 * expand-first rollout is a list of waves; each wave expands every environment in stage order
 * (behind the stage gates), then waits at its contract gate (the deploy window: the new application
 * goes out while both schemas work), then contracts every environment. A per-environment rollout
 * runs each environment whole, in stage order, in one wave. A {@code versions-drained} gate holds
 * an environment's contract steps, not its expand: it is stored on them as their quiet time in
 * milliseconds ({@code drain_ms}, resolved here against the coordinator's default), beside whatever
 * gate they carry, so a new leader decides with the same quiet time.
 */
final class RolloutPlan {
  private RolloutPlan() {}

  /**
   * The target heads of each wave, in order; the last is the rollout's target. The one place that
   * decides how a chain of revisions is split into waves: the revisions some environment still
   * lacks, in order, cut where a revision must wait for an earlier one's contract ({@link
   * ExpandOrder}, the same rule an agent's expand follows, so each expand command reaches its
   * wave's target).
   */
  static List<List<String>> waveTargets(
      RevisionGraph graph, Map<String, List<String>> startHeads, List<String> targetHeads) {
    List<ExpandOrder.Wave> waves = waves(graph, startHeads, targetHeads);
    List<List<String>> out = new ArrayList<>();
    Set<String> reached = new LinkedHashSet<>();
    for (int i = 0; i < waves.size() - 1; i++) {
      waves.get(i).revisions().forEach(m -> reached.add(m.revision()));
      out.add(List.copyOf(graph.headsOf(graph.closure(reached))));
    }
    out.add(List.copyOf(targetHeads));
    return out;
  }

  /** The waves of the revisions some environment lacks to reach {@code targetHeads}. */
  static List<ExpandOrder.Wave> waves(
      RevisionGraph graph, Map<String, List<String>> startHeads, List<String> targetHeads) {
    Set<String> wanted = graph.closure(targetHeads);
    Set<String> missing = new LinkedHashSet<>();
    for (List<String> heads : startHeads.values()) {
      Set<String> applied = graph.closure(heads);
      wanted.stream().filter(r -> !applied.contains(r)).forEach(missing::add);
    }
    return ExpandOrder.waves(
        graph.all().stream().filter(m -> missing.contains(m.revision())).toList());
  }

  /** The steps with the default quiet time of a {@code versions-drained} gate. */
  static List<String> steps(
      String id, RolloutRequest req, List<String> environments, List<List<String>> waves) {
    return steps(id, req, environments, waves, DrainGate.DEFAULT_QUIET);
  }

  /**
   * The {@code (rollout_id, seq, env, action, phase, target, gate, wave, drain_ms)} rows, in order;
   * {@code quiet} is the quiet time of a {@code versions-drained} gate that names none.
   */
  static List<String> steps(
      String id,
      RolloutRequest req,
      List<String> environments,
      List<List<String>> waves,
      Duration quiet) {
    List<String> values = new ArrayList<>();
    int seq = 0;
    if (req.strategy().equals("per-environment")) {
      String target = String.join(",", waves.get(waves.size() - 1));
      for (String env : environments) {
        values.add(row(id, ++seq, env, "all", target, stageGate(req, env), 1, null));
      }
      return values;
    }
    for (int w = 0; w < waves.size(); w++) {
      String target = String.join(",", waves.get(w));
      for (String env : environments) {
        values.add(row(id, ++seq, env, "expand", target, stageGate(req, env), w + 1, null));
      }
      String gate = ContractGate.onStep(req.contractGate());
      for (String env : environments) {
        values.add(row(id, ++seq, env, "all", target, gate, w + 1, drainMs(req, env, quiet)));
        gate = "auto";
      }
    }
    return values;
  }

  /** A stage's gate before its expand: a drain gate waits at the contract instead. */
  private static String stageGate(RolloutRequest req, String env) {
    String gate = req.gates().getOrDefault(env, "auto");
    return DrainGate.is(gate) ? "auto" : gate;
  }

  /**
   * The quiet time before {@code env}'s contract, from its own gate or the contract gate (the
   * longer when both ask for one); null when neither is a drain gate.
   */
  private static Long drainMs(RolloutRequest req, String env, Duration quiet) {
    Long ms = null;
    for (String gate : new String[] {req.gates().get(env), req.contractGate()}) {
      if (DrainGate.is(gate)) {
        long q = DrainGate.quiet(gate, quiet).toMillis();
        ms = ms == null ? q : Math.max(ms, q);
      }
    }
    return ms;
  }

  private static String row(
      String id,
      int seq,
      String env,
      String phase,
      String target,
      String gate,
      int wave,
      Long drainMs) {
    return "("
        + String.join(
            ", ",
            Sql.literal(id),
            String.valueOf(seq),
            Sql.literal(env),
            Sql.literal(Command.UPGRADE),
            Sql.literal(phase),
            Sql.literal(target),
            Sql.literal(gate),
            String.valueOf(wave),
            String.valueOf(drainMs == null ? "NULL" : drainMs))
        + ")";
  }
}
