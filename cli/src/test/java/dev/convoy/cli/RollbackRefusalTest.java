package dev.convoy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.testkit.MigrationFiles;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A rollout never tries to roll back across a revision marked irreversible: it says so instead. */
class RollbackRefusalTest {
  @TempDir Path dir;

  private static JsonObject auto() {
    return new JsonObject().put("contract_gate", "auto");
  }

  private static void files(MigrationFiles files) {
    files.yaml(
        "keep0001",
        null,
        "  - op: create_table\n    table: item\n    columns:\n"
            + "      - {name: id, type: bigint, primary_key: true}\n"
            + "      - {name: qty, type: int, nullable: false}\n"
            + "      - {name: legacy, type: text}\n");
    files.yaml(
        "gone0002",
        "keep0001",
        "irreversible: true\n",
        "  - op: sql\n    up: ALTER TABLE item DROP COLUMN legacy\n");
    files.yaml(
        "chck0003",
        "gone0002",
        "  - op: add_check\n    table: item\n    name: item_qty_positive\n"
            + "    check: \"qty > 0\"\n");
  }

  @Test
  void a_requested_rollback_across_an_irreversible_revision_is_refused_naming_it() {
    files(new MigrationFiles(dir));
    try (Topology t = new Topology(dir)) {
      t.start();
      String first = t.startRollout(auto().put("target", "keep0001"));
      assertEquals("succeeded", t.awaitEnd(first, Duration.ofSeconds(120)).getString("state"));
      t.awaitHeads("keep0001");
      String id = t.startRollout(auto().put("target", "gone0002"));
      assertEquals("succeeded", t.awaitEnd(id, Duration.ofSeconds(120)).getString("state"));
      HttpResponse<String> refused =
          t.http("POST", "/api/rollouts/" + id + "/rollback", null, true);
      assertEquals(409, refused.statusCode(), refused.body());
      assertTrue(
          refused.body().contains("rollback refused")
              && refused.body().contains("gone0002")
              && refused.body().contains("irreversible: true"),
          refused.body());
      assertEquals("succeeded", t.rollout(id).getString("state"), "the rollout is left as it was");
      for (String env : Topology.ENVS) {
        assertEquals("gone0002", t.heads(env), env);
      }
    }
  }

  @Test
  void a_failure_after_an_irreversible_revision_stops_without_rolling_anything_back() {
    files(new MigrationFiles(dir));
    try (Topology t = new Topology(dir)) {
      t.start();
      String first = t.startRollout(auto().put("target", "keep0001"));
      assertEquals("succeeded", t.awaitEnd(first, Duration.ofSeconds(120)).getString("state"));
      for (String env : Topology.ENVS) {
        t.dbs.get(env).execute("INSERT INTO item VALUES (1, 5)");
      }
      t.dbs.get("prod").execute("INSERT INTO item VALUES (2, -1)"); // breaks the check in prod
      t.awaitHeads("keep0001");
      String id = t.startRollout(auto().put("target", "chck0003"));
      JsonObject r = t.awaitEnd(id, Duration.ofSeconds(120));
      assertEquals("failed", r.getString("state"), r.encodePrettily());
      assertTrue(
          r.getString("error").contains("rollback refused")
              && r.getString("error").contains("gone0002"),
          r.getString("error"));
      assertTrue(
          r.getJsonArray("steps").stream().noneMatch(s -> ((JsonObject) s).getBoolean("rollback")),
          "no rollback step was sent");
      assertEquals("chck0003", t.heads("dev"), "dev stays where the rollout took it");
    }
  }
}
