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

  private static JsonObject drainingInProd(int quiet) {
    String message =
        "waiting for versions to drain in prod: convoy_v_ab12cd34 has 3 sessions; quiet for "
            + quiet
            + "s of 30s";
    return new JsonObject()
        .put("id", "r14")
        .put("target", "head")
        .put("strategy", "expand-first")
        .put("state", "waiting")
        .put(
            "waiting_for",
            new JsonObject()
                .put("kind", "versions")
                .put("env", "prod")
                .put("gate", "versions-drained:30s")
                .put("message", message)
                .put("released_by", "no session of an old version in prod for 30s"))
        .put(
            "stages",
            new JsonArray()
                .add(
                    new JsonObject()
                        .put("env", "prod")
                        .put("state", "expanded")
                        .put("revision", new JsonArray().add("ef56ab78"))
                        .put(
                            "versions",
                            new JsonObject()
                                .put(
                                    "ab12cd34",
                                    new JsonObject()
                                        .put("name", "convoy_v_ab12cd34")
                                        .put("sessions", 3))
                                .put(
                                    "ef56ab78",
                                    new JsonObject()
                                        .put("name", "convoy_v_ef56ab78")
                                        .put("sessions", 1)))));
  }

  @Test
  void a_drain_wait_names_the_old_versions_and_each_stage_its_live_versions() {
    String text = RolloutView.render(drainingInProd(0));
    assertTrue(
        text.contains(
            "Waiting for versions to drain in prod: convoy_v_ab12cd34 has 3 sessions; quiet for 0s"
                + " of 30s; gate versions-drained:30s."),
        text);
    assertTrue(
        text.contains("versions: convoy_v_ab12cd34 3 sessions, convoy_v_ef56ab78 1 session"), text);
    assertEquals(
        RolloutView.line(drainingInProd(0)),
        RolloutView.line(drainingInProd(7)),
        "a log of --watch gets no new line for each second of quiet");
  }
}
