package dev.convoy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.convoy.testkit.MigrationFiles;
import dev.convoy.testkit.Poll;
import dev.convoy.testkit.PrivatePostgres;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --max-replica-lag}: on a primary of the test's own with a streaming replica whose replay
 * the test stops, a backfill stops between batches and says which replica it waits for; when the
 * replica replays again, the backfill goes on and finishes.
 */
class ReplicaLagTest {
  private static final int ROWS = 100_000;
  private static final String DB = "lagtest";

  @TempDir Path dir;

  @Test
  void a_backfill_waits_while_a_replica_is_behind_the_limit_and_finishes_once_it_catches_up()
      throws Exception {
    assumeTrue(PrivatePostgres.binaries().isPresent(), "PostgreSQL server binaries not installed");
    MigrationFiles files = new MigrationFiles(dir);
    files.sql(
        "lag00001",
        null,
        "CREATE TABLE big (id bigint PRIMARY KEY, name text NOT NULL);",
        "DROP TABLE big;");
    files.yaml(
        "lag00002",
        "lag00001",
        "  - op: add_column\n    table: big\n    column: {name: email, type: text, nullable: false}\n"
            + "    backfill: \"name || '@example.com'\"\n");
    try (PrivatePostgres primary =
        PrivatePostgres.start(
            List.of(
                "host all postgres 127.0.0.1/32 trust",
                "host replication postgres 127.0.0.1/32 trust"))) {
      primary.psql("CREATE DATABASE " + DB);
      String url = "postgresql://postgres@127.0.0.1:" + primary.port() + "/" + DB;
      assertEquals(0, run("upgrade", "lag00001", "--url", url, "--dir", dir.toString()));
      primary.scalar(
          DB, "INSERT INTO big SELECT g, 'n' || g FROM generate_series(1, " + ROWS + ") g");
      try (PrivatePostgres replica = primary.startReplica("convoy_replica")) {
        Poll.until(
            Duration.ofSeconds(60),
            "the replica to stream and replay everything",
            () ->
                "t"
                    .equals(
                        query(
                            primary,
                            "SELECT replay_lsn = pg_current_wal_lsn() FROM pg_stat_replication"
                                + " WHERE application_name = 'convoy_replica'")));
        Path log = dir.resolve("upgrade.log");
        // Capped at 20,000 rows a second, the backfill alone takes 5 s: it is still running when
        // the replica, stopped once a tenth is done, falls a second behind.
        Process p = upgrade(url, log);
        try {
          Poll.until(
              Duration.ofSeconds(60),
              "a tenth of the backfill to be done",
              () -> {
                assertTrue(p.isAlive(), "the upgrade ended:\n" + Topology.tail(log));
                return rowsDone(primary) >= ROWS / 10;
              });
          query(replica, "SELECT pg_wal_replay_pause()");
          Poll.until(
              Duration.ofSeconds(60),
              "the backfill to say it waits for the replica",
              () -> {
                assertTrue(p.isAlive(), "the upgrade ended:\n" + Topology.tail(log));
                return read(log).contains("paused: replica convoy_replica is ");
              });
          assertTrue(
              read(log)
                  .matches(
                      "(?s).*paused: replica convoy_replica is [0-9.]+ s behind, limit 1.0 s.*"),
              read(log));
          // One worker, which said so before it began to wait: its last batch is committed.
          long paused = rowsDone(primary);
          assertTrue(
              paused >= ROWS / 10 && paused < ROWS, "paused part way: " + paused + " rows done");
          // Stays put while the replica stays behind: for 2 s, in which the capped backfill would
          // otherwise fill 40,000 rows.
          long until = System.nanoTime() + Duration.ofSeconds(2).toNanos();
          while (System.nanoTime() < until) {
            assertEquals(paused, rowsDone(primary), "rows advanced while the replica was behind");
            assertTrue(p.isAlive(), "the upgrade ended while paused:\n" + Topology.tail(log));
          }

          query(replica, "SELECT pg_wal_replay_resume()");
          assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the upgrade did not finish");
          String out = read(log);
          assertEquals(0, p.exitValue(), out);
          assertTrue(out.contains("backfill big: resumed after "), out);
        } finally {
          p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        assertEquals(
            Integer.toString(ROWS),
            query(primary, "SELECT count(*) FROM big WHERE email = name || '@example.com'"));
        assertEquals(
            "lag00002", query(primary, "SELECT string_agg(revision, ',') FROM convoy.version"));
      }
    }
  }

  private Process upgrade(String url, Path log) throws Exception {
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
            "20000",
            "--backfill-workers",
            "1",
            "--max-replica-lag",
            "1s",
            "--url",
            url,
            "--dir",
            dir.toString())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }

  private static int run(String... args) {
    return Main.run(args, new java.io.PrintWriter(System.out), new java.io.PrintWriter(System.err));
  }

  private static long rowsDone(PrivatePostgres primary) {
    return Long.parseLong(
        query(
            primary,
            "SELECT coalesce(sum(rows_done), 0) FROM convoy.progress WHERE revision = 'lag00002'"));
  }

  private static String query(PrivatePostgres server, String sql) {
    try {
      return server.scalar(DB, sql);
    } catch (Exception e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  private static String read(Path log) {
    try {
      return Files.readString(log);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
