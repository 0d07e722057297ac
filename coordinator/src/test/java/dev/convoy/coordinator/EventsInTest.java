package dev.convoy.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.rollout.Event;
import dev.convoy.rollout.Signer;
import dev.convoy.rollout.Wire;
import dev.convoy.testkit.MovingClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The events window on the coordinator's clock, moved by the test: an event is handled while it is
 * at most the window old, and skipped (counted as out_of_date) the moment it is older.
 */
class EventsInTest {
  private static final Signer KEY = new Signer("events-in-test-signing-key");
  private static final Instant SENT = Instant.parse("2030-01-01T00:00:00Z");

  private final MovingClock clock = MovingClock.at(SENT);
  private final CoordinatorMetrics metrics = new CoordinatorMetrics(List.of("dev"));
  private final EventsIn in =
      new EventsIn(
          "c1", new EventCheck(KEY, List.of("dev"), Duration.ofMinutes(10)), metrics, clock);

  private static String succeeded() {
    return Wire.write(
        new Event(
                Event.SUCCEEDED,
                "agent-dev",
                "dev",
                "plan1",
                1,
                3L,
                List.of("r1"),
                null,
                null,
                null,
                null,
                1.0,
                SENT.toEpochMilli(),
                null,
                null,
                null)
            .signed(KEY));
  }

  private double outOfDate() {
    String scrape = metrics.scrape();
    for (String line : scrape.split("\n")) {
      if (line.startsWith("convoy_events_rejected_total{reason=\"out_of_date\"}")) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    throw new AssertionError("no out_of_date counter in\n" + scrape);
  }

  @Test
  void an_event_is_handled_until_it_is_exactly_the_window_old() {
    clock.advance(Duration.ofMinutes(10));
    EventCheck.Verdict v = in.read("1-1", succeeded());
    assertTrue(v != null && v.ok(), String.valueOf(v));
    assertEquals(0.0, outOfDate());
  }

  @Test
  void an_event_one_millisecond_older_than_the_window_is_skipped_and_counted() {
    clock.advance(Duration.ofMinutes(10).plusMillis(1));
    assertNull(in.read("1-1", succeeded()));
    assertEquals(1.0, outOfDate());
  }
}
