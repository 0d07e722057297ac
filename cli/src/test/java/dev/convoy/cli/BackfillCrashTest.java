package dev.convoy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.testkit.MigrationFiles;
import dev.convoy.testkit.Poll;
import dev.convoy.testkit.TestDatabase;
import dev.convoy.testkit.TestPostgres;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backfill killed with SIGKILL resumes where its last committed batches left off: 200,000 rows
 * are walked by two workers (the default), each with its own cursor.
 */
class BackfillCrashTest {
  private static final int ROWS = 200_000;

  @TempDir Path dir;

  /**
   * {@code convoy upgrade head} in a child JVM; {@code maxRowsPerSecond} caps the backfill (0: no
   * cap).
   */
  private Process upgrade(TestDatabase db, Path log, long maxRowsPerSecond) throws Exception {
    return new ProcessBuilder(
            System.getProperty("java.home") + File.separator + "bin" + File.separator + "java",
            "-cp",
            System.getProperty("java.class.path"),
            Main.class.getName(),
            "upgrade",
            "head",
            "--batch-time",
            "20ms",
            "--max-rows-per-second",
            Long.toString(maxRowsPerSecond),
            "--url",
            db.url(),
            "--dir",
            dir.toString())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }

  @Test
  void a_backfill_killed_mid_way_resumes_without_redoing_committed_batches() throws Exception {
    MigrationFiles files = new MigrationFiles(dir);
    files.sql(
        "big00001",
        null,
        "CREATE TABLE big (id bigint PRIMARY KEY, name text NOT NULL, touched int NOT NULL DEFAULT 0);",
        "DROP TABLE big;");
    files.yaml(
        "big00002",
        "big00001",
        "  - op: add_column\n    table: big\n    column: {name: email, type: text, nullable: false}\n"
            + "    backfill: \"name || '@example.com'\"\n");
    try (TestDatabase db = TestPostgres.createDatabase("crash")) {
      assertEquals(
          0,
          Main.run(
              new String[] {"upgrade", "big00001", "--url", db.url(), "--dir", dir.toString()},
              new java.io.PrintWriter(System.out),
              new java.io.PrintWriter(System.err)));
      db.execute(
          "INSERT INTO big (id, name) SELECT g, 'n' || g FROM generate_series(1, " + ROWS + ") g");
      // Counts how often each row is updated: a redone batch would show as touched > 1.
      db.execute(
          "CREATE FUNCTION count_touch() RETURNS trigger LANGUAGE plpgsql AS"
              + " $$ BEGIN NEW.touched := OLD.touched + 1; RETURN NEW; END $$;"
              + " CREATE TRIGGER count_touch BEFORE UPDATE ON big FOR EACH ROW EXECUTE FUNCTION count_touch()");
      db.execute("VACUUM ANALYZE big");

      Path first = dir.resolve("first.log");
      // Capped at 10,000 rows a second, the backfill is still running for 16 s or more after a
      // fifth is done: however slowly this machine polls, the kill lands part way.
      Process p = upgrade(db, first, 10_000);
      long doneBeforeKill =
          Poll.until(
              Duration.ofSeconds(120),
              "a fifth of the backfill to be committed",
              () -> {
                assertTrue(p.isAlive(), "the first upgrade ended:\n" + Topology.tail(first));
                return db.count(
                    "SELECT coalesce(sum(rows_done), 0) FROM convoy.progress"
                        + " WHERE revision = 'big00002'");
              },
              done -> done >= ROWS / 5);
      assertTrue(
          p.isAlive(), "the backfill was still running when killed:\n" + Files.readString(first));
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      // The server finishes (and commits) a batch already running when its client dies; wait for
      // the dead process's sessions to end, then read the cursors and the rows in one snapshot.
      Poll.until(
          Duration.ofSeconds(60),
          "the killed upgrade's sessions to end",
          () ->
              db.count(
                      "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                          + " AND application_name LIKE 'convoy%'")
                  == 0);
      String[] both =
          db.scalar(
                  "SELECT (SELECT sum(rows_done) FROM convoy.progress WHERE revision = 'big00002')"
                      + " || ' ' || (SELECT count(*) FROM big WHERE email IS NOT NULL)")
              .split(" ");
      long saved = Long.parseLong(both[0]);
      assertTrue(saved >= doneBeforeKill && saved < ROWS, "cursor saved at " + saved);
      assertEquals(
          2,
          db.count("SELECT count(*) FROM convoy.progress WHERE phase LIKE 'up#%'"),
          "one cursor per worker");
      assertEquals(saved, Long.parseLong(both[1]), "rows and cursor committed together");
      assertEquals("big00001", db.scalar("SELECT revision FROM convoy.version"));

      Path second = dir.resolve("second.log");
      Process again = upgrade(db, second, 0);
      assertTrue(again.waitFor(120, TimeUnit.SECONDS));
      String log = Files.readString(second);
      assertEquals(0, again.exitValue(), log);
      assertEquals("big00002", db.scalar("SELECT revision FROM convoy.version"));
      assertEquals(
          0, db.count("SELECT count(*) FROM big WHERE touched > 1"), "no row was updated twice");
      assertEquals(ROWS, db.count("SELECT count(*) FROM big WHERE email = name || '@example.com'"));
      assertEquals(
          "NO",
          db.scalar(
              "SELECT is_nullable FROM information_schema.columns WHERE table_name = 'big' AND column_name = 'email'"));
      String firstResumeLine =
          log.lines().filter(l -> l.contains("backfill big:")).findFirst().orElse("");
      long resumedAt =
          Long.parseLong(
              firstResumeLine.replaceAll(".*backfill big: ([0-9,]+)/.*", "$1").replace(",", ""));
      assertTrue(resumedAt > saved, "resumed after the saved cursor: " + firstResumeLine);
    }
  }
}
