package dev.convoy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.convoy.testkit.MigrationFiles;
import dev.convoy.testkit.TestDatabase;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The backfill the drills break: a table {@code big} and a revision that adds one to each row's
 * {@code score} in batches. Such a backfill is not idempotent, so a batch done twice shows: after
 * the drill every row's score must be exactly 1.
 */
final class BackfillDrill {
  private BackfillDrill() {}

  static void migrations(Path dir) {
    migrations(dir, "score + 1");
  }

  /**
   * As above, with {@code slow_inc(score)}, which takes 4 ms a row: a batch of 1,000 rows runs for
   * about 4 s on the server.
   */
  static void slowMigrations(Path dir) {
    migrations(dir, "slow_inc(score)");
  }

  private static void migrations(Path dir, String increment) {
    MigrationFiles files = new MigrationFiles(dir);
    files.sql(
        "bf000001",
        null,
        "CREATE TABLE big (id bigint PRIMARY KEY, score int NOT NULL DEFAULT 0);"
            + " CREATE FUNCTION slow_inc(n int) RETURNS int LANGUAGE plpgsql AS"
            + " $$ BEGIN PERFORM pg_sleep(0.004); RETURN n + 1; END $$;",
        "DROP TABLE big; DROP FUNCTION slow_inc(int);");
    files.yaml(
        "bf000002",
        "bf000001",
        "  - op: backfill\n    table: big\n    set: {score: \"" + increment + "\"}\n");
  }

  /** Rolls {@code bf000001} out and fills {@code big} with {@code rows} rows. */
  static void seed(Topology t, int rows, Supplier<String> log) {
    String base =
        t.startRollout(
            new JsonObject().put("strategy", "per-environment").put("target", "bf000001"));
    JsonObject r = t.awaitEnd(base, Duration.ofSeconds(120));
    assertEquals("succeeded", r.getString("state"), r.encodePrettily() + "\n" + log.get());
    TestDatabase db = t.dbs.get("dev");
    db.execute("INSERT INTO big (id) SELECT g FROM generate_series(1, " + rows + ") g");
    db.execute("VACUUM ANALYZE big");
    t.awaitHeads("bf000001"); // the next rollout is planned from the heartbeats' heads
  }

  /** Rows the backfill has committed so far. */
  static long rowsDone(TestDatabase db) {
    return db.count(
        "SELECT coalesce(sum(rows_done), 0) FROM convoy.progress WHERE revision = 'bf000002'");
  }

  /** Waits until the backfill has committed at least {@code rows} rows (some batches). */
  static void awaitRows(TestDatabase db, long rows, Supplier<String> log) {
    Drills.await(
        "the backfill commits " + rows + " rows",
        Duration.ofSeconds(60),
        () -> rowsDone(db) >= rows,
        () -> "rows done: " + rowsDone(db) + "\n" + log.get());
  }

  /**
   * The revision applied once (nothing undone and redone), every row's score incremented exactly
   * once, each command of the ledger executed once.
   */
  static void assertFilledOnce(Topology t, int rows) {
    TestDatabase db = t.dbs.get("dev");
    assertEquals("bf000002", t.heads("dev"));
    assertEquals(
        "1 x " + rows,
        db.scalar(
            "SELECT string_agg(score || ' x ' || n, ', ' ORDER BY score) FROM (SELECT score,"
                + " count(*) n FROM big GROUP BY score) x"),
        "every row was incremented exactly once (score x rows)");
    assertEquals(1, Drills.applied(db, "bf000002", "applied"), Drills.history(db));
    assertEquals(
        0,
        db.count("SELECT count(*) FROM convoy.history WHERE phase = 'undone'"),
        "nothing was undone and done again:\n" + Drills.history(db));
    assertEquals("", Drills.ledgerRepeats(db));
  }
}
