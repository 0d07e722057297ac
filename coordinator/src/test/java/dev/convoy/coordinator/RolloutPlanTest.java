package dev.convoy.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.error.ConvoyException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How rollouts are planned as waves with a contract gate between expand and contract. */
class RolloutPlanTest {
  private static final List<String> ENVS = List.of("dev", "staging", "prod");

  @Test
  void each_wave_expands_everywhere_then_waits_at_its_contract_gate_then_contracts_everywhere() {
    Rollouts.Request req =
        new Rollouts.Request("head", null, Map.of("prod", "approval"), null, "deployed");
    List<String> rows =
        RolloutPlan.steps("r1", req, ENVS, List.of(List.of("aaaa"), List.of("bbbb")));
    assertEquals(
        List.of(
            "('r1', 1, 'dev', 'upgrade', 'expand', 'aaaa', 'auto', 1)",
            "('r1', 2, 'staging', 'upgrade', 'expand', 'aaaa', 'auto', 1)",
            "('r1', 3, 'prod', 'upgrade', 'expand', 'aaaa', 'approval', 1)",
            "('r1', 4, 'dev', 'upgrade', 'all', 'aaaa', 'contract:deployed', 1)",
            "('r1', 5, 'staging', 'upgrade', 'all', 'aaaa', 'auto', 1)",
            "('r1', 6, 'prod', 'upgrade', 'all', 'aaaa', 'auto', 1)",
            "('r1', 7, 'dev', 'upgrade', 'expand', 'bbbb', 'auto', 2)",
            "('r1', 8, 'staging', 'upgrade', 'expand', 'bbbb', 'auto', 2)",
            "('r1', 9, 'prod', 'upgrade', 'expand', 'bbbb', 'approval', 2)",
            "('r1', 10, 'dev', 'upgrade', 'all', 'bbbb', 'contract:deployed', 2)",
            "('r1', 11, 'staging', 'upgrade', 'all', 'bbbb', 'auto', 2)",
            "('r1', 12, 'prod', 'upgrade', 'all', 'bbbb', 'auto', 2)"),
        rows);
  }

  @Test
  void today_one_wave_goes_to_the_whole_target() {
    assertEquals(
        List.of(List.of("cccc", "dddd")),
        RolloutPlan.waveTargets(null, Map.of(), List.of("cccc", "dddd")));
  }

  @Test
  void the_contract_gate_defaults_to_approval_and_anything_else_is_refused_naming_the_choices() {
    assertEquals("approval", new Rollouts.Request(null, null, null, null, null).contractGate());
    assertEquals("soak:5m", new Rollouts.Request(null, null, null, null, "soak:5m").contractGate());
    ConvoyException e =
        assertThrows(
            ConvoyException.class, () -> new Rollouts.Request(null, null, null, null, "soon"));
    assertTrue(
        e.getMessage()
            .equals(
                "contract gate 'soon' is not one of approval, deployed, soak:<duration> (e.g."
                    + " soak:10m) or auto"),
        e.getMessage());
    assertEquals(
        null, new Rollouts.Request(null, "per-environment", null, null, null).contractGate());
  }
}
