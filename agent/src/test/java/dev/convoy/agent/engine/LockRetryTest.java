package dev.convoy.agent.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.agent.db.DatabaseUrl;
import dev.convoy.testkit.MovingClock;
import io.vertx.pgclient.PgException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The lock_timeout retry schedule, on a clock the test moves: N retries, their backoff, and the
 * moment LockRetry gives up, without waiting and without a database.
 */
class LockRetryTest {
  private final MovingClock clock = MovingClock.at(Instant.parse("2030-01-01T00:00:00Z"));
  private final List<Duration> heard = new ArrayList<>();
  private final List<LockRetry> opened = new ArrayList<>();
  private int attempts;

  private LockRetry retry(int retries, DoubleSupplier random) {
    MigrationListener listener =
        new MigrationListener() {
          @Override
          public void lockRetry(
              String what,
              int attempt,
              int of,
              List<LockTimeoutException.Blocker> blockers,
              Duration backoff) {
            assertEquals(heard.size() + 1, attempt, "attempts are numbered from 1");
            assertEquals(retries, of);
            heard.add(backoff);
          }
        };
    // The blocker lookup would start after 3/4 of the lock timeout: an hour, never here.
    LockRetry r =
        new LockRetry(
            () -> {
              throw new AssertionError("no connection is opened");
            },
            new DatabaseUrl("postgresql://postgres@127.0.0.1:5432/unused"),
            "convoy",
            Duration.ofHours(1),
            retries,
            listener,
            clock::sleep,
            random);
    opened.add(r);
    return r;
  }

  @AfterEach
  void close() {
    opened.forEach(LockRetry::close);
  }

  private static RuntimeException lockTimeout() {
    return new PgException(
        "canceling statement due to lock timeout", "ERROR", "55P03", "lock timeout");
  }

  /** An attempt that hits lock_timeout {@code failing} times, then answers "done". */
  private String attempt(int failing) {
    attempts++;
    if (attempts <= failing) {
      throw lockTimeout();
    }
    return "done";
  }

  @Test
  void a_statement_that_never_gets_its_lock_backs_off_doubling_to_five_seconds_then_gives_up() {
    LockRetry r = retry(7, () -> 0.5); // jitter factor exactly 1
    LockTimeoutException e =
        assertThrows(
            LockTimeoutException.class, () -> r.run("ALTER TABLE t", 1, () -> attempt(100)));
    assertEquals(List.of(200L, 400L, 800L, 1600L, 3200L, 5000L, 5000L), clock.sleeps());
    assertEquals(
        clock.sleeps().stream().map(Duration::ofMillis).toList(), heard, "each pause announced");
    assertEquals(8, attempts, "the first attempt and 7 retries");
    assertEquals(
        Duration.ofMillis(16_200).toNanos(),
        clock.nanos(),
        "gave up right after the last attempt, with no pause after it");
    assertTrue(e.getMessage().contains("hit on each of 8 attempts"), e.getMessage());
    assertTrue(e.getMessage().contains("for ALTER TABLE t"), e.getMessage());
    assertEquals("55P03", ((PgException) e.getCause()).getSqlState());
  }

  @Test
  void each_pause_is_jittered_between_half_and_one_and_a_half_times_the_backoff() {
    double[] jitter = {0.0, 0.999, 0.25};
    int[] i = {0};
    LockRetry r = retry(3, () -> jitter[i[0]++]);
    assertThrows(LockTimeoutException.class, () -> r.run("x", 1, () -> attempt(100)));
    assertEquals(List.of(100L, 599L, 600L), clock.sleeps(), "200×0.5, 400×1.499, 800×0.75");
  }

  @Test
  void a_statement_that_gets_its_lock_on_the_third_attempt_returns_after_two_pauses() {
    LockRetry r = retry(5, () -> 0.5);
    assertEquals("done", r.run("CREATE INDEX", 1, () -> attempt(2)));
    assertEquals(List.of(200L, 400L), clock.sleeps());
    assertEquals(3, attempts);
  }

  @Test
  void an_error_other_than_a_lock_timeout_fails_at_once_without_a_retry() {
    LockRetry r = retry(5, () -> 0.5);
    RuntimeException other = new PgException("syntax error", "ERROR", "42601", null);
    assertSame(
        other,
        assertThrows(
            RuntimeException.class,
            () ->
                r.run(
                    "x",
                    1,
                    () -> {
                      throw other;
                    })));
    assertEquals(List.of(), clock.sleeps());
  }

  @Test
  void with_no_retries_the_first_lock_timeout_is_the_failure() {
    LockRetry r = retry(0, () -> 0.5);
    assertThrows(LockTimeoutException.class, () -> r.run("x", 1, () -> attempt(100)));
    assertEquals(1, attempts);
    assertEquals(List.of(), clock.sleeps());
  }
}
