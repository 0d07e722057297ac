package dev.convoy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.testkit.MigrationFiles;
import dev.convoy.testkit.TestDatabase;
import dev.convoy.testkit.TestPostgres;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many application instances starting at the same moment, each running 'convoy upgrade head' in its
 * own JVM against one database: every migration must run exactly once and every instance must
 * succeed.
 */
class ConcurrentStartTest {
  private static final int INSTANCES = 8;
  private static final int MIGRATIONS = 120;

  @TempDir Path dir;

  @Test
  void eight_instances_starting_at_once_apply_every_migration_exactly_once() throws Exception {
    new MigrationFiles(dir).chain(MIGRATIONS);
    try (TestDatabase db = TestPostgres.createDatabase("concurrent")) {
      List<Process> processes = new ArrayList<>();
      List<Path> outputs = new ArrayList<>();
      for (int i = 0; i < INSTANCES; i++) {
        Path out = dir.resolve("instance-" + i + ".log");
        outputs.add(out);
        processes.add(
            new ProcessBuilder(
                    javaBin(),
                    "-XX:TieredStopAtLevel=1",
                    "-cp",
                    System.getProperty("java.class.path"),
                    Main.class.getName(),
                    "upgrade",
                    "head",
                    "--url",
                    db.url(),
                    "--dir",
                    dir.toString())
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .start());
      }
      int applying = 0;
      int waitedThenFoundHead = 0;
      for (int i = 0; i < INSTANCES; i++) {
        assertTrue(processes.get(i).waitFor(120, TimeUnit.SECONDS), "instance " + i + " finished");
        String log = Files.readString(outputs.get(i));
        assertEquals(0, processes.get(i).exitValue(), "instance " + i + " succeeded:\n" + log);
        if (log.contains("Upgraded from base to r0120: " + MIGRATIONS + " revisions")) {
          applying++;
        } else if (log.contains("Nothing to do: already at head (r0120)")) {
          waitedThenFoundHead++;
        }
      }
      assertEquals(1, applying, "exactly one instance applied the migrations");
      assertEquals(INSTANCES - 1, waitedThenFoundHead, "the others ended with 'already at head'");
      assertEquals(
          MIGRATIONS,
          db.count("SELECT count(*) FROM convoy.history WHERE direction = 'upgrade' AND success"),
          "one successful upgrade row per migration");
      assertEquals(
          MIGRATIONS,
          db.count("SELECT count(DISTINCT revision) FROM convoy.history WHERE success"),
          "every migration recorded once");
      assertEquals(
          MIGRATIONS,
          db.count(
              "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename ~"
                  + " '^t[0-9]{4}$'"),
          "every table created");
      StringBuilder rows = new StringBuilder("SELECT ");
      for (int i = 1; i <= MIGRATIONS; i++) {
        rows.append(i > 1 ? " + " : "").append(String.format("(SELECT count(*) FROM t%04d)", i));
      }
      assertEquals(MIGRATIONS, db.count(rows.toString()), "each migration's row inserted once");
      assertEquals("r0120", db.scalar("SELECT string_agg(revision, ',') FROM convoy.version"));
    }
  }

  private static String javaBin() {
    return System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
  }
}
