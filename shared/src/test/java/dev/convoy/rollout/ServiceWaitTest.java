package dev.convoy.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.error.ConvoyException;
import dev.convoy.testkit.MovingClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The wait at start for Redis and the database, on a clock the test moves: nothing really waits.
 */
class ServiceWaitTest {
  private final MovingClock clock = MovingClock.at(Instant.parse("2030-01-01T00:00:00Z"));
  private final List<Long> probedAt = new ArrayList<>();

  /** A probe that answers {@code problem} for its first {@code failing} calls, then nothing. */
  private java.util.function.Supplier<List<String>> probe(int failing, String problem) {
    return () -> {
      probedAt.add(clock.nanos() / 1_000_000);
      return probedAt.size() <= failing ? List.of(problem) : List.of();
    };
  }

  private void await(Duration waitFor, java.util.function.Supplier<List<String>> probe) {
    ServiceWait.await(waitFor, probe, clock::nanos, clock::sleep);
  }

  @Test
  void a_service_that_answers_on_the_third_probe_is_asked_every_half_second_until_then() {
    await(Duration.ofSeconds(60), probe(2, "Redis at redis://127.0.0.1:6379 does not answer"));
    assertEquals(List.of(0L, 500L, 1000L), probedAt, "probed at these milliseconds");
    assertEquals(List.of(500L, 500L), clock.sleeps());
  }

  @Test
  void a_service_that_never_answers_is_given_up_on_exactly_when_the_wait_has_passed() {
    ConvoyException e =
        assertThrows(
            ConvoyException.class,
            () ->
                await(
                    Duration.ofSeconds(3),
                    probe(Integer.MAX_VALUE, "Redis at redis://127.0.0.1:6379 does not answer")));
    assertEquals(List.of(0L, 500L, 1000L, 1500L, 2000L, 2500L, 3000L), probedAt);
    assertEquals(Duration.ofSeconds(3).toNanos(), clock.nanos(), "gave up at 3 s, not later");
    assertEquals(
        "Redis at redis://127.0.0.1:6379 does not answer. Start it or fix the URL; waited 3 s",
        e.getMessage());
  }

  @Test
  void without_a_wait_a_silent_service_fails_at_the_first_probe_saying_how_to_wait() {
    ConvoyException e =
        assertThrows(
            ConvoyException.class, () -> await(Duration.ZERO, probe(1, "the database is down")));
    assertEquals(List.of(0L), probedAt);
    assertEquals(List.of(), clock.sleeps(), "no pause");
    assertTrue(e.getMessage().contains("give --wait-for-services DURATION"), e.getMessage());
  }

  @Test
  void an_interrupted_wait_ends_with_a_clear_error_instead_of_waiting_on() {
    ConvoyException e =
        assertThrows(
            ConvoyException.class,
            () ->
                ServiceWait.await(
                    Duration.ofSeconds(60),
                    () -> List.of("the database is down"),
                    clock::nanos,
                    ms -> {
                      throw new InterruptedException();
                    }));
    assertEquals("interrupted while waiting", e.getMessage());
    assertTrue(Thread.interrupted(), "the interrupt is kept for the caller");
  }
}
