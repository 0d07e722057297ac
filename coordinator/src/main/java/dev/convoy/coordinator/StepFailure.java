package dev.convoy.coordinator;

import dev.convoy.rollout.StepError;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A described rollout's {@code failure}: its first failed or rejected step (a rollback's refusal
 * for data loss is a gate, not a failure) with the error in parts, as the agent reported it:
 * environment, step, action, revision, file, operation, statement, SQLSTATE, PostgreSQL's message,
 * detail and hint ({@link StepError}). Null when no step failed.
 */
final class StepFailure {
  private StepFailure() {}

  static JsonObject of(JsonArray steps) {
    for (Object o : steps) {
      JsonObject s = (JsonObject) o;
      String state = s.getString("state");
      if ((state.equals("failed") || state.equals("rejected"))
          && !DataLossGate.CODE.equals(s.getString("code"))) {
        return describe(s);
      }
    }
    return null;
  }

  private static JsonObject describe(JsonObject step) {
    JsonObject f =
        new JsonObject()
            .put("env", step.getString("env"))
            .put("step", step.getInteger("seq"))
            .put("state", step.getString("state"))
            .put("action", step.getString("action"))
            .put("phase", step.getString("phase"))
            .put("target", step.getString("target"))
            .put("rollback", step.getBoolean("rollback"))
            .put("code", step.getString("code"));
    StepError e = StepError.parse(step.getString("message"));
    if (e != null) {
      f.put("revision", e.revision())
          .put("file", e.file())
          .put("operation", e.operation())
          .put("statement", e.statement())
          .put("sqlstate", e.sqlState())
          .put("message", e.message())
          .put("detail", e.detail())
          .put("hint", e.hint());
    }
    return f;
  }
}
