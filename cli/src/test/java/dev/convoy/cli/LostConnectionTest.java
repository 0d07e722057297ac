package dev.convoy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.testkit.MigrationFiles;
import dev.convoy.testkit.TcpProxy;
import dev.convoy.testkit.TestDatabase;
import dev.convoy.testkit.TestPostgres;
import io.vertx.pgclient.PgConnectOptions;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plain revision that runs long is reported as it ended, and one whose connection breaks while it
 * runs is reported as the server says it ended: Convoy reconnects, waits for the orphaned server
 * process, and reads the version table instead of guessing "still at the previous revision".
 */
class LostConnectionTest {
  /**
   * This database's backend running the revision. pg_stat_activity spans every database, and other
   * test classes running at the same time sleep with the same text, so the database is named.
   */
  private static final String THE_REVISION =
      " FROM pg_stat_activity WHERE datname = current_database() AND state = 'active'"
          + " AND query LIKE '%SELECT pg_sleep(4)%' AND pid <> pg_backend_pid()";

  private static final String SLEEPING = "SELECT count(*)" + THE_REVISION;

  @TempDir Path dir;

  @Test
  void a_revision_running_longer_than_every_client_timeout_completes_and_is_reported_applied() {
    // 12 s: longer than the connect (10 s) and startup (10 s) timeouts, the only ones left; the
    // old client's 60 s read timeout is gone, so any length would do.
    new MigrationFiles(dir)
        .sql(
            "long0001",
            null,
            "CREATE TABLE fixed (id int);\nSELECT pg_sleep(12);\nINSERT INTO fixed VALUES (1);",
            "DROP TABLE fixed;");
    try (TestDatabase db = TestPostgres.createDatabase("long_stmt")) {
      ConvoyShell.at(dir, db.url()).run("upgrade", "head").exits(0).outContains("long0001");
      assertEquals(1, db.count("SELECT count(*) FROM fixed"));
      assertEquals("long0001", db.scalar("SELECT revision FROM convoy.version"));
    }
  }

  @Test
  void a_connection_lost_while_the_commit_still_runs_on_the_server_is_reported_applied()
      throws Exception {
    revisionThatSleeps();
    try (TestDatabase db = TestPostgres.createDatabase("lost_applied");
        TcpProxy proxy = proxyTo(db)) {
      CompletableFuture<ConvoyShell.Result> run = upgradeThrough(proxy, db);
      awaitSleeping(db, run);
      // The network fails on Convoy's side only: the server goes on, and its COMMIT (already
      // pipelined behind the sleep) completes after Convoy's connection is gone.
      proxy.dropClients();
      ConvoyShell.Result r = run.get(120, TimeUnit.SECONDS);
      r.exits(0)
          .errContains(
              "the connection to PostgreSQL was lost while revision lost0001",
              "Revision lost0001 was applied: its COMMIT completed after the connection was lost",
              "The database is at lost0001.");
      assertFalse(r.err().contains("still at"), r.toString());
      assertEquals(1, db.count("SELECT count(*) FROM fix"));
      assertEquals("lost0001", db.scalar("SELECT revision FROM convoy.version"));
      // The orphaned process (which held the migration lock) is gone: the next command runs.
      ConvoyShell.at(dir, db.url()).run("upgrade", "head").exits(0);
    }
  }

  @Test
  void a_connection_lost_when_the_server_ends_the_revisions_process_is_reported_not_applied()
      throws Exception {
    revisionThatSleeps();
    try (TestDatabase db = TestPostgres.createDatabase("lost_rolled_back");
        TcpProxy proxy = proxyTo(db)) {
      CompletableFuture<ConvoyShell.Result> run = upgradeThrough(proxy, db);
      awaitSleeping(db, run);
      // The server ends the process (an administrator, a crash, a failover): it rolls back.
      assertEquals(
          1, db.count("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))" + THE_REVISION));
      ConvoyShell.Result r = run.get(120, TimeUnit.SECONDS);
      r.exits(1)
          .errContains(
              "the connection to PostgreSQL was lost while revision lost0001",
              "Revision lost0001 was not applied: its transaction rolled back",
              "The database is at base.");
      assertFalse(r.err().contains("\tat "), r.toString());
      assertEquals(0, db.count("SELECT count(*) FROM pg_tables WHERE tablename = 'fix'"));
      assertEquals(0, db.count("SELECT count(*) FROM convoy.version"));
      ConvoyShell.at(dir, db.url()).run("upgrade", "head").exits(0);
      assertEquals(1, db.count("SELECT count(*) FROM fix"));
    }
  }

  private void revisionThatSleeps() {
    new MigrationFiles(dir)
        .sql(
            "lost0001",
            null,
            "CREATE TABLE fix (id int);\nINSERT INTO fix VALUES (1);\nSELECT pg_sleep(4);",
            "DROP TABLE fix;");
  }

  private static TcpProxy proxyTo(TestDatabase db) {
    PgConnectOptions server = PgConnectOptions.fromUri(db.url());
    return new TcpProxy(server.getHost(), server.getPort());
  }

  private CompletableFuture<ConvoyShell.Result> upgradeThrough(TcpProxy proxy, TestDatabase db) {
    PgConnectOptions server = PgConnectOptions.fromUri(db.url());
    String url =
        db.url().replace(server.getHost() + ":" + server.getPort(), "127.0.0.1:" + proxy.port());
    assertTrue(url.contains(":" + proxy.port() + "/"), url);
    return CompletableFuture.supplyAsync(() -> ConvoyShell.at(dir, url).run("upgrade", "head"));
  }

  /** Polls until the revision's sleep runs on the server (the loaded machine may take a while). */
  private static void awaitSleeping(TestDatabase db, CompletableFuture<ConvoyShell.Result> run)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (db.count(SLEEPING) == 0) {
      if (run.isDone()) {
        throw new AssertionError("the upgrade ended before its revision ran:\n" + run.get());
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the revision's pg_sleep did not start within 60 s");
      }
      Thread.onSpinWait();
    }
  }
}
