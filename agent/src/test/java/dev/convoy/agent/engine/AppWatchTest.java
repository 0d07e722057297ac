package dev.convoy.agent.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.agent.db.DatabaseUrl;
import dev.convoy.agent.db.PgSession;
import dev.convoy.testkit.Poll;
import dev.convoy.testkit.TestDatabase;
import dev.convoy.testkit.TestPostgres;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What a backfill's watch sees of the application, on a real server. */
class AppWatchTest {
  private static PgSession open(TestDatabase db, String name) {
    return PgSession.open(Engines.VERTX, new DatabaseUrl(db.url()), name);
  }

  @Test
  void an_update_waiting_for_a_row_the_backfill_holds_is_seen_blocked_and_slow() {
    // Closed in reverse: the backfill's session (and its lock) goes before the application's.
    try (TestDatabase db = TestPostgres.createDatabase("appwatch_lock");
        PgSession app = open(db, "old-app");
        PgSession backfill = open(db, "convoy-test-backfill")) {
      db.execute("CREATE TABLE t (id int PRIMARY KEY, v int); INSERT INTO t VALUES (1, 0), (2, 0)");
      try (AppWatch watch =
          AppWatch.start(open(db, "convoy-test-watch"), Duration.ofMillis(10), Clock.systemUTC())) {
        watch.backfillPid(backfill.pid());
        backfill.query("BEGIN");
        backfill.query("UPDATE t SET v = 1 WHERE id = 1");
        Instant from = Instant.now();
        Future<?> update = app.send("UPDATE t SET v = 2 WHERE id = 1");
        AppWatch.Signal seen =
            Poll.until(
                Duration.ofSeconds(30),
                "the watch to see the update wait 50 ms for the backfill's row",
                () -> watch.since(from),
                s -> s.blocked() == 1 && s.slowestMs() >= 50);
        assertEquals(1, seen.blocked());
        backfill.query("COMMIT");
        PgSession.await(update);

        Instant after = Instant.now();
        app.query("UPDATE t SET v = 3 WHERE id = 2");
        AppWatch.Signal clear =
            Poll.until(
                Duration.ofSeconds(30),
                "samples after the backfill committed",
                () -> watch.since(after),
                s -> s.samples() >= 3);
        assertEquals(0, clear.blocked());
        assertTrue(clear.slowestMs() < 50, "nothing slow once it committed: " + clear);
      }
    }
  }

  @Test
  void a_statement_already_running_when_the_backfill_began_is_not_counted() {
    try (TestDatabase db = TestPostgres.createDatabase("appwatch_report");
        PgSession report = open(db, "report")) {
      Future<?> sleeping = report.send("SELECT pg_sleep(3)");
      Poll.until(
          Duration.ofSeconds(30),
          "the report to run",
          () ->
              db.count(
                      "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                          + " AND application_name = 'report' AND state = 'active'")
                  == 1);
      try (AppWatch watch =
          AppWatch.start(open(db, "convoy-test-watch"), Duration.ofMillis(10), Clock.systemUTC())) {
        Instant from = Instant.now();
        AppWatch.Signal seen =
            Poll.until(
                Duration.ofSeconds(30),
                "a few samples",
                () -> watch.since(from),
                s -> s.samples() >= 5);
        assertEquals(0.0, seen.slowestMs(), "the report is not the backfill's doing: " + seen);
      }
      PgSession.await(sleeping);
    }
  }
}
