package dev.convoy.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.error.ConvoyException;
import dev.convoy.graph.RevisionGraph;
import dev.convoy.migration.MigrationDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How rollouts are planned as waves with a contract gate between expand and contract. */
class RolloutPlanTest {
  private static final List<String> ENVS = List.of("dev", "staging", "prod");

  @Test
  void each_wave_expands_everywhere_then_waits_at_its_contract_gate_then_contracts_everywhere() {
    RolloutRequest req =
        new RolloutRequest("head", null, Map.of("prod", "approval"), null, "deployed");
    List<String> rows =
        RolloutPlan.steps("r1", req, ENVS, List.of(List.of("aaaa"), List.of("bbbb")));
    assertEquals(
        List.of(
            "('r1', 1, 'dev', 'upgrade', 'expand', 'aaaa', 'auto', 1, NULL)",
            "('r1', 2, 'staging', 'upgrade', 'expand', 'aaaa', 'auto', 1, NULL)",
            "('r1', 3, 'prod', 'upgrade', 'expand', 'aaaa', 'approval', 1, NULL)",
            "('r1', 4, 'dev', 'upgrade', 'all', 'aaaa', 'contract:deployed', 1, NULL)",
            "('r1', 5, 'staging', 'upgrade', 'all', 'aaaa', 'auto', 1, NULL)",
            "('r1', 6, 'prod', 'upgrade', 'all', 'aaaa', 'auto', 1, NULL)",
            "('r1', 7, 'dev', 'upgrade', 'expand', 'bbbb', 'auto', 2, NULL)",
            "('r1', 8, 'staging', 'upgrade', 'expand', 'bbbb', 'auto', 2, NULL)",
            "('r1', 9, 'prod', 'upgrade', 'expand', 'bbbb', 'approval', 2, NULL)",
            "('r1', 10, 'dev', 'upgrade', 'all', 'bbbb', 'contract:deployed', 2, NULL)",
            "('r1', 11, 'staging', 'upgrade', 'all', 'bbbb', 'auto', 2, NULL)",
            "('r1', 12, 'prod', 'upgrade', 'all', 'bbbb', 'auto', 2, NULL)"),
        rows);
  }

  @Test
  void a_versions_drained_gate_holds_the_environments_contract_steps_not_its_expand() {
    RolloutRequest req =
        new RolloutRequest(
            "head",
            null,
            Map.of("prod", "versions-drained", "staging", "versions-drained:2m"),
            null,
            "approval");
    List<String> rows =
        RolloutPlan.steps("r1", req, ENVS, List.of(List.of("aaaa")), Duration.ofSeconds(45));
    assertEquals(
        List.of(
            "('r1', 1, 'dev', 'upgrade', 'expand', 'aaaa', 'auto', 1, NULL)",
            "('r1', 2, 'staging', 'upgrade', 'expand', 'aaaa', 'auto', 1, NULL)",
            "('r1', 3, 'prod', 'upgrade', 'expand', 'aaaa', 'auto', 1, NULL)",
            "('r1', 4, 'dev', 'upgrade', 'all', 'aaaa', 'contract:approval', 1, NULL)",
            "('r1', 5, 'staging', 'upgrade', 'all', 'aaaa', 'auto', 1, 120000)",
            "('r1', 6, 'prod', 'upgrade', 'all', 'aaaa', 'auto', 1, 45000)"),
        rows,
        "the default quiet time is the coordinator's (45s here); staging names its own");
  }

  @Test
  void a_versions_drained_contract_gate_holds_every_environments_contract() {
    RolloutRequest req =
        new RolloutRequest(
            "head", null, Map.of("prod", "versions-drained:5m"), null, "versions-drained:1m");
    List<String> rows =
        RolloutPlan.steps("r1", req, ENVS, List.of(List.of("aaaa")), Duration.ofSeconds(30));
    assertEquals(
        List.of(
            "('r1', 4, 'dev', 'upgrade', 'all', 'aaaa', 'contract:versions-drained:1m', 1,"
                + " 60000)",
            "('r1', 5, 'staging', 'upgrade', 'all', 'aaaa', 'auto', 1, 60000)",
            "('r1', 6, 'prod', 'upgrade', 'all', 'aaaa', 'auto', 1, 300000)"),
        rows.subList(3, 6),
        "each environment waits for its own drain; prod for the longer of its two");
  }

  @Test
  void a_versions_drained_gate_is_refused_for_a_per_environment_rollout_and_a_bad_quiet_time() {
    ConvoyException e =
        assertThrows(
            ConvoyException.class,
            () ->
                new RolloutRequest(
                    "head", "per-environment", Map.of("prod", "versions-drained"), null, null));
    assertTrue(e.getMessage().contains("use strategy expand-first"), e.getMessage());
    e =
        assertThrows(
            ConvoyException.class,
            () ->
                new RolloutRequest(
                    "head", null, Map.of("prod", "versions-drained:soon"), null, null));
    assertTrue(
        e.getMessage()
            .contains(
                "gate 'versions-drained:soon' for prod is not auto, approval, soak:<duration> or"
                    + " versions-drained[:<duration>]"),
        e.getMessage());
  }

  @TempDir Path dir;

  private RevisionGraph chain(String... operations) throws IOException {
    Files.createDirectories(dir.resolve("versions"));
    for (int i = 0; i < operations.length; i++) {
      Files.writeString(
          dir.resolve("versions").resolve("rev" + (i + 1) + ".yaml"),
          "revision: rev"
              + (i + 1)
              + "\ndown_revision: "
              + (i == 0 ? "null" : "rev" + i)
              + "\nlint: {ignore: [rename]}\noperations:\n"
              + operations[i]);
    }
    return MigrationDirectory.load(dir);
  }

  @Test
  void a_release_whose_revision_needs_an_earlier_contract_is_cut_into_waves_there()
      throws IOException {
    RevisionGraph graph =
        chain(
            "  - op: create_table\n    table: book\n    columns: [{name: title, type: text}]\n",
            "  - op: rename_column\n    table: book\n    from: title\n    to: name\n",
            "  - op: create_index\n    table: book\n    columns: [name]\n",
            "  - op: add_column\n    table: book\n    column: {name: isbn, type: text}\n");
    // dev is at rev1, prod has nothing yet: both need the rename before the index.
    Map<String, List<String>> start = Map.of("dev", List.of("rev1"), "prod", List.of());
    assertEquals(
        List.of(List.of("rev2"), List.of("rev4")),
        RolloutPlan.waveTargets(graph, start, List.of("rev4")));
    assertEquals(
        List.of(List.of("rev4")),
        RolloutPlan.waveTargets(graph, Map.of("dev", List.of("rev2")), List.of("rev4")),
        "once the rename is contracted everywhere, one wave");
  }

  @Test
  void the_contract_gate_defaults_to_approval_and_anything_else_is_refused_naming_the_choices() {
    assertEquals("approval", new RolloutRequest(null, null, null, null, null).contractGate());
    assertEquals("soak:5m", new RolloutRequest(null, null, null, null, "soak:5m").contractGate());
    ConvoyException e =
        assertThrows(
            ConvoyException.class, () -> new RolloutRequest(null, null, null, null, "soon"));
    assertTrue(
        e.getMessage()
            .equals(
                "contract gate 'soon' is not one of approval, deployed, soak:<duration> (e.g."
                    + " soak:10m), versions-drained[:<duration>] or auto"),
        e.getMessage());
    assertEquals(
        null, new RolloutRequest(null, "per-environment", null, null, null).contractGate());
  }
}
