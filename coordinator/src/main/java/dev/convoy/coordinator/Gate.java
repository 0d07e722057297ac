package dev.convoy.coordinator;

import dev.convoy.config.Durations;
import java.time.Duration;
import java.time.Instant;

/**
 * A gate before a step: {@code auto}, {@code approval}, {@code soak:<duration>}, or {@code
 * versions-drained[:<duration>]} ({@link DrainGate}, which holds the environment's contract step,
 * not its expand).
 */
final class Gate {
  private Gate() {}

  static boolean valid(String gate) {
    if (gate.equals("auto") || gate.equals("approval") || DrainGate.valid(gate)) {
      return true;
    }
    if (!gate.startsWith("soak:")) {
      return false;
    }
    try {
      Durations.parse("soak", gate.substring(5));
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** How long a soak gate waits after the step before it finished. */
  static Duration soak(String gate) {
    return gate.startsWith("soak:") ? Durations.parse("soak", gate.substring(5)) : Duration.ZERO;
  }

  static boolean soaked(String gate, Instant previousFinished, Instant now) {
    return previousFinished == null || !now.isBefore(previousFinished.plus(soak(gate)));
  }
}
