package dev.convoy.coordinator;

import io.vertx.core.json.JsonObject;

/** An environment's state within a rollout, derived from its steps; and its metric value. */
final class Stage {
  private Stage() {}

  static String state(String before, JsonObject step) {
    String s = step.getString("state");
    boolean rollback = step.getBoolean("rollback", false);
    if (rollback) {
      return switch (s) {
        case "succeeded" -> "rolled_back";
        case "failed", "rejected" -> "failed";
        case "pending", "skipped" -> before;
        default -> "rolling_back";
      };
    }
    return switch (s) {
      case "succeeded" -> step.getString("phase").equals("expand") ? "expanded" : "done";
      case "failed", "rejected" -> "failed";
      case "sent", "running" -> "running";
      default -> before;
    };
  }

  /**
   * For convoy_rollout_stage_state: pending 0, running 1, expanded 2, done 3, rolling back 4,
   * rolled back 5, failed -1.
   */
  static int metric(String state) {
    return switch (state) {
      case "running" -> 1;
      case "expanded" -> 2;
      case "done" -> 3;
      case "rolling_back" -> 4;
      case "rolled_back" -> 5;
      case "failed" -> -1;
      default -> 0;
    };
  }
}
