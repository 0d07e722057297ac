package dev.convoy.coordinator;

import dev.convoy.error.ConvoyException;
import dev.convoy.error.ErrorCode;
import java.time.Duration;

/**
 * The deploy window of an expand-first rollout: after expand has finished in every environment, the
 * first contract step of each wave waits on this gate while the new application is deployed. {@code
 * approval} (default; released by {@code convoy rollout approve} or {@code deployed}), {@code
 * deployed} (released only by the deploy call), {@code soak:<duration>} (opens that long after the
 * last environment's expand finished; the deploy call opens it early), {@code auto} and {@code
 * versions-drained[:<duration>]} (each environment's contract step waits until the old application
 * versions have drained from its database, see {@link DrainGate}). On its step the gate is stored
 * as {@code contract:<gate>}, apart from the stage gates, whose approvals are per environment.
 */
final class ContractGate {
  static final String DEFAULT = "approval";
  static final String ALLOWED =
      "approval, deployed, soak:<duration> (e.g. soak:10m), versions-drained[:<duration>] or auto";
  private static final String PREFIX = "contract:";

  private ContractGate() {}

  /** The gate a request names (null: the default), or a clear refusal listing what is allowed. */
  static String validated(String gate) {
    if (gate == null) {
      return DEFAULT;
    }
    if (gate.equals("deployed") || Gate.valid(gate)) {
      return gate;
    }
    throw new ConvoyException(
        ErrorCode.BAD_INPUT, "contract gate '" + gate + "' is not one of " + ALLOWED);
  }

  /** What a contract step's gate column holds. */
  static String onStep(String gate) {
    return PREFIX + gate;
  }

  /** True for the gate column of a step that holds a contract gate. */
  static boolean is(String stepGate) {
    return stepGate != null && stepGate.startsWith(PREFIX);
  }

  /** The gate itself ({@code approval}, {@code soak:30s}, …) from a step's gate column. */
  static String of(String stepGate) {
    return stepGate.substring(PREFIX.length());
  }

  static Duration soak(String gate) {
    return Gate.soak(gate);
  }

  /** Whether {@code convoy rollout approve} may release it. */
  static boolean approvable(String gate) {
    return gate.equals("approval");
  }

  /** The commands that release the gate, for people reading a status. */
  static String releasedBy(String rollout, String gate) {
    String deployed = "'convoy rollout deployed " + rollout + "'";
    if (gate.equals("approval")) {
      return "'convoy rollout approve " + rollout + "' or " + deployed;
    }
    if (gate.startsWith("soak:")) {
      return "the soak of " + gate.substring(5) + " running out, or " + deployed;
    }
    if (DrainGate.is(gate)) {
      return "no session of an old application version in each environment for the quiet time";
    }
    return deployed + " (POST /api/rollouts/" + rollout + "/deployed)";
  }
}
