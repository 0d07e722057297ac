package dev.convoy.coordinator;

import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The events stream's entries as the events loop reads them: each is checked ({@link EventCheck});
 * a refused one is logged once with its entry id, counted in {@code
 * convoy_events_rejected_total{reason}} and skipped, so the loop's cursor moves past it. Entries
 * read again after an outage (the loop goes back to its saved cursor) are not logged or counted a
 * second time, and their heartbeats are not heard twice. An event's age is judged on the
 * coordinator's {@link Clock}.
 */
final class EventsIn {
  private static final Logger log = LoggerFactory.getLogger(EventsIn.class);

  private final String coordinator;
  private final EventCheck check;
  private final CoordinatorMetrics metrics;
  private final Clock clock;
  private String seenUpTo;

  EventsIn(String coordinator, EventCheck check, CoordinatorMetrics metrics, Clock clock) {
    this.coordinator = coordinator;
    this.check = check;
    this.metrics = metrics;
    this.clock = clock;
  }

  /** The verdict for entry {@code id} when its event is to be handled; null to skip it. */
  EventCheck.Verdict read(String id, String raw) {
    long now = clock.millis();
    if (seenUpTo != null && compare(id, seenUpTo) <= 0) {
      EventCheck.Verdict again = check.check(raw, now);
      return again.ok() && !again.event().type().equals(dev.convoy.rollout.Event.HEARTBEAT)
          ? again
          : null;
    }
    seenUpTo = id;
    EventCheck.Verdict v = check.check(raw, now);
    if (!v.ok()) {
      metrics.eventRejected(v.reason());
      log.warn("{} - skipped events entry {} ({}): {}", coordinator, id, v.reason(), v.detail());
      return null;
    }
    return v;
  }

  /** Entry {@code id} passed the checks but the control database refused to record it: skipped. */
  void unprocessable(String id, RuntimeException e) {
    metrics.eventRejected("unprocessable");
    log.warn(
        "{} - skipped events entry {} (unprocessable): the control database refused it: {}",
        coordinator,
        id,
        e.getMessage());
  }

  /** Orders two stream entry ids ({@code <ms>-<seq>}). */
  static int compare(String a, String b) {
    long[] x = parts(a);
    long[] y = parts(b);
    return x[0] != y[0] ? Long.compare(x[0], y[0]) : Long.compare(x[1], y[1]);
  }

  private static long[] parts(String id) {
    int dash = id.indexOf('-');
    try {
      return dash < 0
          ? new long[] {Long.parseLong(id), 0}
          : new long[] {
            Long.parseLong(id.substring(0, dash)), Long.parseLong(id.substring(dash + 1))
          };
    } catch (NumberFormatException e) {
      return new long[] {0, 0};
    }
  }
}
