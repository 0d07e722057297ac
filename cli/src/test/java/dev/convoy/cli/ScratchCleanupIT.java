package dev.convoy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.testkit.MigrationFiles;
import dev.convoy.testkit.Poll;
import dev.convoy.testkit.TestDatabase;
import dev.convoy.testkit.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM (what Ctrl-C and a CI cancel send) during autogenerate, through the real {@code convoy}
 * launcher (so after {@code package}, as an integration test): the scratch database being built is
 * dropped and a running schema-command is stopped, nothing left behind for an hour.
 */
class ScratchCleanupIT {
  private static final Path REPO = Path.of("").toAbsolutePath().getParent();

  @TempDir Path work;

  private Process convoy(Path dir, String url, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(REPO.resolve("convoy").toString()));
    cmd.addAll(List.of(args));
    cmd.addAll(List.of("--dir", dir.toString(), "--url", url));
    return new ProcessBuilder(cmd)
        .redirectErrorStream(true)
        .redirectOutput(work.resolve("convoy.log").toFile())
        .start();
  }

  /** SIGTERM to the JVM: the launcher itself once it has exec'd java, else its java child. */
  private static void terminate(Process launcher) {
    ProcessHandle jvm =
        launcher.info().command().map(c -> c.endsWith("java")).orElse(false)
            ? launcher.toHandle()
            : launcher
                .descendants()
                .filter(h -> h.info().command().map(c -> c.endsWith("java")).orElse(false))
                .findFirst()
                .orElse(launcher.toHandle());
    jvm.destroy();
  }

  private Path migrations() throws Exception {
    Path dir = work.resolve("migrations");
    new MigrationFiles(dir)
        .sql("auth0001", null, "CREATE TABLE author (id int PRIMARY KEY);", "DROP TABLE author;");
    return dir;
  }

  @Test
  void sigterm_while_the_declared_schema_builds_drops_its_scratch_database() throws Exception {
    Path dir = migrations();
    Files.writeString(
        Files.createDirectories(dir.resolve("schema")).resolve("app.sql"),
        "CREATE TABLE author (id int PRIMARY KEY, name text);\nSELECT pg_sleep(600);\n");
    try (TestDatabase db = TestPostgres.createDatabase("scratch_sigterm")) {
      Process p = convoy(dir, db.url(), "revision", "--autogenerate", "-m", "x");
      try {
        Poll.until(
            Duration.ofSeconds(120),
            "the declared schema's scratch database to be sleeping",
            () ->
                "1"
                    .equals(
                        TestPostgres.scalar(
                            TestPostgres.serverUrl(),
                            "SELECT count(*) FROM pg_stat_activity a JOIN pg_database d ON"
                                + " d.datname = a.datname WHERE a.wait_event = 'PgSleep'"
                                + " AND shobj_description(d.oid, 'pg_database') LIKE '%for "
                                + db.name()
                                + "%'")));
        terminate(p);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "convoy to exit on SIGTERM");
        Poll.until(
            Duration.ofSeconds(30),
            "no scratch database left for " + db.name(),
            () -> DeclaredSchemaTest.scratchesLeft(db) == 0);
      } finally {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
      }
    }
  }

  @Test
  void sigterm_while_a_slow_schema_command_runs_stops_the_command() throws Exception {
    Path dir = migrations();
    String sleep = "sleep 613." + (System.nanoTime() % 100000);
    try (TestDatabase db = TestPostgres.createDatabase("scratch_sigterm_cmd")) {
      Process p =
          convoy(dir, db.url(), "revision", "--autogenerate", "-m", "x", "--schema-command", sleep);
      try {
        Poll.until(
            Duration.ofSeconds(120),
            "the schema-command to run",
            () -> DeclaredSchemaTest.processesWith(sleep) > 0);
        terminate(p);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "convoy to exit on SIGTERM");
        Poll.until(
            Duration.ofSeconds(30),
            "the schema-command's sleep to be stopped",
            () -> DeclaredSchemaTest.processesWith(sleep) == 0);
        assertEquals(0, DeclaredSchemaTest.scratchesLeft(db));
      } finally {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
      }
    }
  }
}
