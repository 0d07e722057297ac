package dev.convoy.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class PollTest {
  private final AtomicInteger looks = new AtomicInteger();

  @Test
  void a_condition_that_holds_returns_at_the_first_look() {
    Poll.until(Duration.ofSeconds(60), "nothing", () -> looks.incrementAndGet() > 0);
    assertEquals(1, looks.get());
  }

  @Test
  void the_value_that_passes_is_returned() {
    int n =
        Poll.until(Duration.ofSeconds(60), "the third look", looks::incrementAndGet, v -> v >= 3);
    assertEquals(3, n);
    assertEquals(
        "found", Poll.until(Duration.ofSeconds(60), "a value", () -> Optional.of("found")));
  }

  @Test
  void past_the_deadline_it_fails_naming_what_it_waited_for_and_the_last_value_seen() {
    // A short deadline only because this test is about the failing path.
    AssertionError e =
        assertThrows(
            AssertionError.class,
            () ->
                Poll.until(
                    Duration.ofMillis(300),
                    "the answer to be 42",
                    looks::incrementAndGet,
                    v -> v == -1));
    assertTrue(
        e.getMessage().startsWith("waited 0 s for the answer to be 42; last seen: "),
        e.getMessage());
    assertTrue(e.getMessage().endsWith(": " + looks.get()), e.getMessage());
    assertTrue(looks.get() >= 2, "looked again before giving up: " + looks.get());
  }

  @Test
  void a_probe_that_throws_counts_as_not_yet_and_its_error_is_the_last_value_seen() {
    int n =
        Poll.until(
            Duration.ofSeconds(60),
            "a server to answer",
            () -> {
              if (looks.incrementAndGet() < 3) {
                throw new IllegalStateException("connection refused");
              }
              return looks.get();
            },
            v -> true);
    assertEquals(3, n);
    AssertionError e =
        assertThrows(
            AssertionError.class,
            () ->
                Poll.until(
                    Duration.ofMillis(100),
                    "a server to answer",
                    (Supplier<Optional<String>>)
                        () -> {
                          throw new IllegalStateException("connection refused");
                        }));
    assertTrue(e.getMessage().contains("connection refused"), e.getMessage());
  }
}
