package dev.convoy.bench;

import java.util.List;

/** One rollout: its stages, and its ends as the harness and the control database saw them. */
record RolloutTiming(
    int index,
    boolean warmup,
    String target,
    String id,
    String state,
    double endToEndMs,
    double postMs,
    double finishMs,
    List<StageTiming> stages) {}

