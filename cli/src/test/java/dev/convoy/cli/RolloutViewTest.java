package dev.convoy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** How a rollout reads as text: in full for status, and on one line for a log of --watch. */
class RolloutViewTest {
  private static JsonObject failedInProd() {
    return new JsonObject()
        .put("id", "r13")
        .put("target", "head")
        .put("strategy", "per-environment")
        .put("state", "failed")
        .put(
            "stages",
            new JsonArray()
                .add(
                    new JsonObject()
                        .put("env", "prod")
                        .put("state", "failed")
                        .put("revision", new JsonArray().add("r13a0002"))))
        .put(
            "failure",
            new JsonObject()
                .put("step", 3)
                .put("env", "prod")
                .put("state", "failed")
                .put("action", "upgrade")
                .put("target", "head")
                .put("phase", "contract")
                .put("revision", "r13a0003")
                .put("file", "versions/r13a0003_qty.yaml")
                .put("operation", "add_check item_qty_positive")
                .put(
                    "statement",
                    "ALTER TABLE \"item\"\n  VALIDATE CONSTRAINT \"item_qty_positive\"")
                .put("sqlstate", "23514")
                .put("message", "check constraint \"item_qty_positive\" is violated by some row"));
  }

  @Test
  void a_failure_on_one_line_has_no_stray_punctuation_nor_runs_of_spaces() {
    String line = RolloutView.line(failedInProd());
    assertEquals(
        "rollout r13 failed; prod failed; step 3 in prod failed (upgrade head, contract);"
            + " revision: r13a0003; file: versions/r13a0003_qty.yaml; operation: add_check"
            + " item_qty_positive; statement: ALTER TABLE \"item\" VALIDATE CONSTRAINT"
            + " \"item_qty_positive\"; SQLSTATE: 23514; message: check constraint"
            + " \"item_qty_positive\" is violated by some row",
        line);
    assertFalse(line.contains(":;") || line.contains("  "), line);
  }

  @Test
  void a_failure_in_full_keeps_its_fields_one_a_line() {
    String text = RolloutView.render(failedInProd());
    assertTrue(text.contains("\n  prod       failed        r13a0002"), text);
    assertTrue(
        text.contains(
            "\n  Step 3 in prod failed (upgrade head, contract):\n    revision:  r13a0003\n"),
        text);
    assertTrue(text.contains("\n    SQLSTATE:  23514\n"), text);
  }

  @Test
  void a_rollout_whose_gate_was_just_released_says_so_instead_of_a_bare_waiting() {
    JsonObject r =
        new JsonObject()
            .put("id", "r13")
            .put("target", "head")
            .put("strategy", "per-environment")
            .put("state", "waiting")
            .put("stages", new JsonArray());
    assertEquals(
        "Rollout r13 to head (per-environment): waiting\n"
            + "  Released; the coordinator sends the next step at once.",
        RolloutView.render(r));
  }
}
