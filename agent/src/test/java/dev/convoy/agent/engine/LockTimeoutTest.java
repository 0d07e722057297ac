package dev.convoy.agent.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.testkit.MigrationFiles;
import dev.convoy.testkit.TestDatabase;
import dev.convoy.testkit.TestPostgres;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DDL that cannot get its lock waits politely: short lock_timeout attempts with backoff, so the
 * table's readers and writers are held up for at most one attempt, and a clear failure naming the
 * blocker when the lock never comes.
 */
class LockTimeoutTest {
  @TempDir Path dir;

  private Migrator migrator(TestDatabase db, int retries) {
    return Engines.migrator(
        dir,
        Engines.config(db, Duration.ofMillis(150), retries, BackfillSettings.DEFAULTS),
        MigrationListener.SILENT);
  }

  private void files() {
    MigrationFiles files = new MigrationFiles(dir);
    files.sql("lock0001", null, "CREATE TABLE t (id int PRIMARY KEY, v text);", "DROP TABLE t;");
    files.yaml(
        "lock0002",
        "lock0001",
        "  - op: add_column\n    table: t\n    column: {name: extra, type: int}\n");
  }

  private static PgConnection connect(TestDatabase db) {
    return PgConnection.connect(Engines.VERTX, PgConnectOptions.fromUri(db.url())).await();
  }

  @Test
  void a_blocked_step_retries_without_stalling_readers_and_writers_then_succeeds()
      throws Exception {
    files();
    try (TestDatabase db = TestPostgres.createDatabase("lockwait")) {
      migrator(db, 5).upgrade("lock0001");
      db.execute("INSERT INTO t SELECT g, 'v' FROM generate_series(1, 100) g");
      PgConnection holder = connect(db);
      PgConnection app = connect(db);
      holder.query("BEGIN; SELECT count(*) FROM t").execute().await();
      CompletableFuture<MigrationResult> upgrade =
          CompletableFuture.supplyAsync(() -> migrator(db, 30).upgrade("head"));
      List<Long> latencies = new CopyOnWriteArrayList<>();
      long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2500);
      int id = 1000;
      while (System.nanoTime() < until) {
        long t0 = System.nanoTime();
        app.query("SELECT count(*) FROM t").execute().await();
        app.query("INSERT INTO t VALUES (" + id++ + ", 'w')").execute().await();
        latencies.add((System.nanoTime() - t0) / 1_000_000);
      }
      assertTrue(!upgrade.isDone(), "the step keeps waiting while the lock is held");
      long worst = latencies.stream().mapToLong(Long::longValue).max().orElse(0);
      assertTrue(
          worst < 1000,
          "readers and writers waited at most about one lock_timeout; worst " + worst + " ms");
      assertTrue(latencies.size() > 5, "the application kept working: " + latencies.size());
      holder.close().await();
      assertEquals(List.of("lock0002"), upgrade.get(30, TimeUnit.SECONDS).to());
      assertEquals(
          1,
          db.count(
              "SELECT count(*) FROM information_schema.columns WHERE table_name = 't' AND column_name = 'extra'"));
      app.close().await();
    }
  }

  @Test
  void a_lock_that_never_comes_fails_naming_the_blocker_and_changes_nothing() {
    files();
    try (TestDatabase db = TestPostgres.createDatabase("locknever")) {
      migrator(db, 5).upgrade("lock0001");
      PgConnection holder = connect(db);
      try {
        holder.query("BEGIN; SELECT count(*) FROM t /* report job */").execute().await();
        MigrationFailedException e =
            assertThrows(MigrationFailedException.class, () -> migrator(db, 2).upgrade("head"));
        assertEquals("55P03", e.sqlState());
        assertTrue(e.getMessage().contains("3 attempts"), e.getMessage());
        assertTrue(e.getMessage().contains("pid " + holder.processId()), e.getMessage());
        assertTrue(e.getMessage().contains("report job"), e.getMessage());
        assertTrue(e.getMessage().contains("still at lock0001"), e.getMessage());
      } finally {
        holder.close().await();
      }
      assertEquals("lock0001", db.scalar("SELECT revision FROM convoy.version"));
      assertEquals(
          0,
          db.count(
              "SELECT count(*) FROM information_schema.columns WHERE table_name = 't' AND column_name = 'extra'"));
    }
  }
}
