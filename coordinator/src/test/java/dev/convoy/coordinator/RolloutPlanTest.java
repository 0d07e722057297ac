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
                    + " soak:10m) or auto"),
        e.getMessage());
    assertEquals(
        null, new RolloutRequest(null, "per-environment", null, null, null).contractGate());
  }
}
