package dev.convoy.agent.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.testkit.MigrationFiles;
import dev.convoy.testkit.Poll;
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
    return migrator(db, retries, MigrationListener.SILENT);
  }

  private Migrator migrator(TestDatabase db, int retries, MigrationListener listener) {
    return Engines.migrator(
        dir,
        Engines.config(db, Duration.ofMillis(150), retries, BackfillSettings.DEFAULTS),
        listener);
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
      // A read or write stuck behind the DDL fails after 20 s instead of hanging the test.
      app.query("SET statement_timeout = '20s'").execute().await();
      holder.query("BEGIN; SELECT count(*) FROM t").execute().await();
      List<Duration> retries = new CopyOnWriteArrayList<>();
      MigrationListener listener =
          new MigrationListener() {
            @Override
            public void lockRetry(
                String what,
                int attempt,
                int of,
                List<LockTimeoutException.Blocker> blockers,
                Duration backoff) {
              retries.add(backoff);
            }
          };
      CompletableFuture<MigrationResult> upgrade =
          CompletableFuture.supplyAsync(() -> migrator(db, 30, listener).upgrade("head"));
      // The application works on while the step tries, times out and tries again: rounds of a
      // read and a write go on until the step has retried three times and 20 rounds are done.
      List<Long> latencies = new CopyOnWriteArrayList<>();
      int[] id = {1000};
      Poll.until(
          Duration.ofSeconds(120),
          "three lock_timeout retries of the step and 20 rounds of the application's work",
          () -> {
            long t0 = System.nanoTime();
            app.query("SELECT count(*) FROM t").execute().await();
            app.query("INSERT INTO t VALUES (" + id[0]++ + ", 'w')").execute().await();
            latencies.add((System.nanoTime() - t0) / 1_000_000);
            return retries.size() >= 3 && latencies.size() >= 20;
          });
      assertTrue(!upgrade.isDone(), "the step keeps waiting while the lock is held");
      long worst = latencies.stream().mapToLong(Long::longValue).max().orElse(0);
      // Held up for one lock_timeout (150 ms) at most; a DDL waiting without one would hold them
      // until the holder ends (the 20 s statement_timeout). Loose: a loaded machine is slow.
      assertTrue(worst < 10_000, "readers and writers were never stuck behind the DDL: " + worst);
      holder.close().await();
      assertEquals(List.of("lock0002"), upgrade.get(60, TimeUnit.SECONDS).to());
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
