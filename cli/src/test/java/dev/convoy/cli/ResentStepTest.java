package dev.convoy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.testkit.MigrationFiles;
import dev.convoy.testkit.TestDatabase;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A coordinator that takes over sends again every step it has not heard the answer of, under its
 * new epoch. Found by bench/coordinator-kill.sh: a step that had failed in prod (its answer still
 * unread when its leader was killed) ran a second time under the new epoch. A step runs once per
 * database: the agent answers with what the step did under the earlier epoch.
 */
class ResentStepTest {
  @TempDir Path dir;

  @Test
  void a_failed_step_sent_again_under_a_newer_epoch_is_answered_and_not_run_again() {
    MigrationFiles files = new MigrationFiles(dir);
    files.sql(
        "rs000001",
        null,
        "CREATE TABLE big (id bigint PRIMARY KEY, qty int NOT NULL, score int NOT NULL DEFAULT 0);",
        "DROP TABLE big;");
    // Adds one to every score (not undone when the revision fails), then fails at contract: one
    // row breaks the check.
    files.yaml(
        "rs000002",
        "rs000001",
        "  - op: backfill\n    table: big\n    set: {score: \"score + 1\"}\n"
            + "  - op: add_check\n    table: big\n    name: big_qty_positive\n"
            + "    check: \"qty > 0\"\n");
    try (Topology t = new Topology(dir, List.of("dev"));
        Streams s = new Streams(t)) {
      t.agents.add(t.agent("dev", "agent-dev"));
      long now = System.currentTimeMillis();
      s.send(
          "dev",
          Streams.command(dir, "base", 1, 4, "upgrade", "rs000001", List.of("rs000001"), now));
      s.await(
          "answer",
          e -> "base".equals(e.getString("plan")) && e.getString("type").equals("succeeded"));
      TestDatabase db = t.dbs.get("dev");
      db.execute("INSERT INTO big (id, qty) SELECT g, 1 FROM generate_series(1, 1000) g");
      db.execute("UPDATE big SET qty = -1 WHERE id = 500");
      List<String> both = List.of("rs000001", "rs000002");
      s.send("dev", Streams.command(dir, "fail", 1, 4, "upgrade", "rs000002", both, now));
      JsonObject first =
          s.await(
              "failed",
              e ->
                  "fail".equals(e.getString("plan"))
                      && e.getString("type").equals("failed")
                      && e.getLong("epoch") == 4);
      assertTrue(first.getString("message").contains("big_qty_positive"), first.encode());
      String history = db.scalar("SELECT count(*) || '/' || max(id) FROM convoy.history");
      // The new leader's copy of the same step.
      s.send("dev", Streams.command(dir, "fail", 1, 5, "upgrade", "rs000002", both, now));
      JsonObject again =
          s.await(
              "answer under epoch 5",
              e ->
                  "fail".equals(e.getString("plan"))
                      && e.getLong("epoch", 0L) == 5
                      && !e.getString("type").equals("accepted"));
      assertEquals("failed", again.getString("type"), again.encode());
      assertEquals("already_applied", again.getString("code"), again.encode());
      assertTrue(
          again.getString("message").contains("(epoch 4); not applied again"), again.encode());
      assertEquals(
          "1 x 1000",
          db.scalar(
              "SELECT string_agg(score || ' x ' || n, ', ') FROM (SELECT score, count(*) n"
                  + " FROM big GROUP BY score) x"),
          "the backfill ran once");
      assertEquals(
          history,
          db.scalar("SELECT count(*) || '/' || max(id) FROM convoy.history"),
          "nothing ran under epoch 5");
      assertEquals("rs000001", t.heads("dev"));
    }
  }
}
