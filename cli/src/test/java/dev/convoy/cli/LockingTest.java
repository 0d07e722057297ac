package dev.convoy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.convoy.testkit.MigrationFiles;
import dev.convoy.testkit.Poll;
import dev.convoy.testkit.TestDatabase;
import dev.convoy.testkit.TestPostgres;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What the command does when another session holds a lock it needs. */
@Timeout(60)
class LockingTest {
  /** The advisory lock class Convoy uses ('Conv'), keyed by the state schema. */
  private static final String MIGRATION_LOCK = "pg_advisory_lock(1131376246, hashtext('convoy'))";

  private static Vertx vertx;

  @TempDir Path dir;

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopVertx() {
    vertx.close().await();
  }

  private static PgConnection connect(TestDatabase db) {
    return PgConnection.connect(vertx, PgConnectOptions.fromUri(db.url())).await();
  }

  @Test
  void upgrade_waits_for_a_migration_in_progress_saying_who_holds_the_lock_then_finishes()
      throws Exception {
    new MigrationFiles(dir).chain(2);
    try (TestDatabase db = TestPostgres.createDatabase("lock_wait")) {
      PgConnection holder = connect(db);
      try {
        holder.query("SELECT " + MIGRATION_LOCK).execute().await();
        int holderPid = holder.processId();
        CompletableFuture<ConvoyShell.Result> upgrade =
            CompletableFuture.supplyAsync(() -> ConvoyShell.at(dir, db.url()).run("upgrade"));
        // The upgrade is waiting once its session polls for the lock (it holds no other).
        Poll.until(
            Duration.ofSeconds(60),
            "the upgrade's session to poll for the migration lock",
            () ->
                upgrade.isDone()
                    || db.count(
                            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                                + " AND application_name LIKE 'convoy%'")
                        > 0);
        assertFalse(upgrade.isDone(), "the upgrade waits for the lock");
        assertEquals(
            "true", db.scalar("SELECT to_regclass('t0001') IS NULL"), "nothing runs while waiting");

        holder.query("SELECT pg_advisory_unlock_all()").execute().await();
        ConvoyShell.Result r = upgrade.get(30, TimeUnit.SECONDS);

        r.exits(0)
            .errContains("Waiting for the migration lock", "pid " + holderPid)
            .outContains("Applied r0001", "Applied r0002");
        assertEquals("r0002", db.scalar("SELECT revision FROM convoy.version"));
      } finally {
        holder.close().await();
      }
    }
  }

  @Test
  void a_statement_that_cannot_get_its_table_lock_gives_up_after_the_lock_timeout() {
    MigrationFiles files = new MigrationFiles(dir);
    files.chain(1);
    files.sql(
        "r0002",
        "r0001",
        "ALTER TABLE t0001 ADD COLUMN extra int;",
        "ALTER TABLE t0001 DROP COLUMN extra;");
    try (TestDatabase db = TestPostgres.createDatabase("lock_timeout")) {
      ConvoyShell convoy = ConvoyShell.at(dir, db.url());
      convoy.run("upgrade", "r0001").exits(0);
      PgConnection reader = connect(db);
      try {
        reader.query("BEGIN; LOCK TABLE t0001 IN ACCESS SHARE MODE").execute().await();

        convoy
            .run("upgrade", "head", "--lock-timeout", "200ms", "--lock-retries", "1")
            .exits(1)
            .errContains("revision r0002", "55P03", "the database is still at r0001");

        assertEquals("r0001", db.scalar("SELECT revision FROM convoy.version"));
      } finally {
        reader.close().await();
      }
      assertEquals(
          0,
          db.count(
              "SELECT count(*) FROM information_schema.columns"
                  + " WHERE table_name = 't0001' AND column_name = 'extra'"));
      convoy.run("upgrade", "head").exits(0);
      assertEquals("r0002", db.scalar("SELECT revision FROM convoy.version"));
    }
  }

  @Test
  void a_lock_timeout_failure_names_the_session_that_blocks_it() {
    MigrationFiles files = new MigrationFiles(dir);
    files.chain(1);
    files.sql(
        "r0002",
        "r0001",
        "ALTER TABLE t0001 ADD COLUMN extra int;",
        "ALTER TABLE t0001 DROP COLUMN extra;");
    try (TestDatabase db = TestPostgres.createDatabase("lock_blocker")) {
      ConvoyShell convoy = ConvoyShell.at(dir, db.url());
      convoy.run("upgrade", "r0001").exits(0);
      PgConnection reader = connect(db);
      try {
        reader.query("BEGIN; LOCK TABLE t0001 IN ACCESS SHARE MODE").execute().await();

        convoy
            .run("upgrade", "head", "--lock-timeout", "200ms", "--lock-retries", "2")
            .exits(1)
            .errContains(
                "55P03",
                "attempts",
                "pid " + reader.processId(),
                "LOCK TABLE t0001 IN ACCESS SHARE MODE");
      } finally {
        reader.close().await();
      }
    }
  }
}
