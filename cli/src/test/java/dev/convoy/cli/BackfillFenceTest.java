package dev.convoy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.agent.daemon.AgentDaemon;
import dev.convoy.agent.db.DatabaseUrl;
import dev.convoy.agent.engine.BackfillSettings;
import dev.convoy.agent.engine.EngineConfig;
import dev.convoy.agent.engine.EngineTuning;
import dev.convoy.testkit.MigrationFiles;
import dev.convoy.testkit.Poll;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backfill running for coordinator epoch N stops committing the moment a newer coordinator raises
 * the database's fence: each batch checks the fence in its own transaction.
 */
class BackfillFenceTest {
  @TempDir Path dir;

  @Test
  void a_backfill_changes_no_more_rows_once_a_newer_coordinator_raises_the_fence() {
    MigrationFiles files = new MigrationFiles(dir);
    files.yaml(
        "bff00001",
        null,
        "  - op: create_table\n    table: item\n    columns:\n"
            + "      - {name: id, type: bigint, primary_key: true}\n");
    files.yaml(
        "bff00002",
        "bff00001",
        "  - op: add_column\n    table: item\n    column: {name: label, type: text, nullable:"
            + " false}\n    backfill: \"'item ' || id\"\n");
    try (Topology t = new Topology(dir, List.of("dev"));
        Streams s = new Streams(t)) {
      // Slow on purpose: 200 rows a second, from batches of 50.
      EngineTuning slow =
          new EngineTuning(
              EngineConfig.DEFAULT_LOCK_TIMEOUT,
              EngineConfig.DEFAULT_LOCK_RETRIES,
              new BackfillSettings(Duration.ofMillis(30), 50, 200, 1));
      t.agents.add(
          new AgentDaemon(
                  t.vertx,
                  new AgentDaemon.Config(
                      "dev",
                      new DatabaseUrl(t.dbs.get("dev").url()),
                      t.redisUrl,
                      t.namespace,
                      dir,
                      Topology.KEY,
                      "agent-dev",
                      0,
                      "convoy",
                      Duration.ofMillis(500),
                      Duration.ofSeconds(30),
                      slow))
              .start());
      long now = System.currentTimeMillis();
      s.send(
          "dev",
          Streams.command(dir, "base", 1, 4, "upgrade", "bff00001", List.of("bff00001"), now));
      s.await(
          "answer",
          e -> "base".equals(e.getString("plan")) && e.getString("type").equals("succeeded"));
      var db = t.dbs.get("dev");
      db.execute("INSERT INTO item SELECT g FROM generate_series(1, 5000) g");
      s.send(
          "dev",
          Streams.command(
              dir, "fill", 1, 4, "upgrade", "bff00002", List.of("bff00001", "bff00002"), now));
      Poll.until(Duration.ofSeconds(60), "the backfill to fill a first batch", () -> filled(t) > 0);
      // As a newer coordinator's first command would: the update waits for a batch in flight.
      db.execute("UPDATE convoy.fence SET epoch = 5");
      long before = filled(t);
      JsonObject failed =
          s.await(
              "failed",
              e -> "fill".equals(e.getString("plan")) && e.getString("type").equals("failed"));
      assertTrue(
          failed.getString("message").contains("stale coordinator: epoch 4"),
          failed.getString("message"));
      assertEquals(before, filled(t), "no batch committed after the fence moved");
      assertTrue(before < 5000, "the backfill was stopped part way: " + before);
      assertEquals("bff00001", t.heads("dev"), "the revision is not recorded as applied");
      assertEquals(
          "failed",
          db.scalar("SELECT state FROM convoy.ledger WHERE plan = 'fill'"),
          "the ledger records the outcome");
    }
  }

  private static long filled(Topology t) {
    return t.dbs
        .get("dev")
        .count("SELECT count(*) FROM item WHERE to_jsonb(item) ->> 'label' IS NOT NULL");
  }
}
