package dev.convoy.coordinator;

import dev.convoy.rollout.Event;
import dev.convoy.rollout.Keys;
import dev.convoy.rollout.Loops;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's events loop: reads the agents' events stream from the cursor saved in the
 * control database, checks each entry ({@link EventsIn}), tracks heartbeats in the {@link Roster}
 * and, as the leader of the term the batch was read in, records step outcomes ({@link
 * StepOutcomes}) and saves the cursor. A new term re-reads from the saved cursor (a standby's own
 * ran ahead over outcomes it ignored); past the lease deadline it writes nothing. An outage (Redis
 * or the control database down) reads the entry again later; an entry the database refuses would be
 * refused again, so it is skipped as unprocessable instead of stalling the loop. Apart from the
 * {@link Coordinator} because this is where what agents say becomes state.
 */
final class EventsLoop implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(EventsLoop.class);

  private final String id;
  private final LeaseLoop leadership;
  private final ControlStore store;
  private final Redis events;
  private final Keys keys;
  private final EventsIn eventsIn;
  private final Roster roster;
  private final StepOutcomes outcomes;
  private final CoordinatorMetrics metrics;
  private final Runnable wake;
  private final Clock clock;
  private volatile boolean running = true;

  EventsLoop(
      String id,
      LeaseLoop leadership,
      ControlStore store,
      Redis events,
      Keys keys,
      EventsIn eventsIn,
      Roster roster,
      StepOutcomes outcomes,
      CoordinatorMetrics metrics,
      Runnable wake,
      Clock clock) {
    this.id = id;
    this.leadership = leadership;
    this.store = store;
    this.events = events;
    this.keys = keys;
    this.eventsIn = eventsIn;
    this.roster = roster;
    this.outcomes = outcomes;
    this.metrics = metrics;
    this.wake = wake;
    this.clock = clock;
  }

  /** Ends the loop; its thread is interrupted next. */
  void stop() {
    running = false;
  }

  @Override
  public void run() {
    String cursor = null;
    long readingAs = -1;
    while (running) {
      try {
        if (leadership.epoch() != readingAs) {
          // Became leader (or stood down): go back to the saved cursor. A standby's own cursor ran
          // ahead over the outcomes it ignored, which the new leader must still record.
          readingAs = leadership.epoch();
          cursor = null;
        }
        if (leadership.epoch() >= 0 && !leadership.held()) {
          // Past the lease deadline: write no outcome and save no cursor until the lease loop
          // decides; the entries wait in the stream.
          cursor = null;
          sleep(50);
          continue;
        }
        if (cursor == null) {
          cursor = store.eventsCursor();
        }
        Response r =
            Replies.await(
                events.send(
                    Request.cmd(Command.XREAD)
                        .arg("COUNT")
                        .arg(500)
                        .arg("BLOCK")
                        .arg(500)
                        .arg("STREAMS")
                        .arg(keys.events())
                        .arg(cursor)),
                5500);
        if (r == null || r.size() == 0) {
          continue;
        }
        long term = leadership.epoch();
        for (Response entry : r.get(0).get(1)) {
          String id = entry.get(0).toString();
          EventCheck.Verdict v = eventsIn.read(id, field(entry.get(1), "e"));
          if (v != null) {
            try {
              handle(v.event(), term);
            } catch (RuntimeException ex) {
              if (!ControlStore.refusedStatement(ex)) {
                throw ex; // an outage: read it again once the database is back
              }
              // The database refused what this entry asked to record: it would refuse it again.
              eventsIn.unprocessable(id, ex);
            }
          }
          cursor = id;
        }
        if (term >= 0 && leadership.leader()) {
          store.saveEventsCursor(cursor, term);
        }
      } catch (Exception e) {
        // Redis or the control database is down: read again from the saved cursor. A bad entry
        // never lands here (EventsIn skips it).
        if (running) {
          log.warn("{} - events stream unavailable, retrying: {}", id, e.getMessage());
          cursor = null;
          sleep(500);
        }
      }
    }
  }

  /** The value of {@code name} in a stream entry's fields, or null. */
  private static String field(Response fields, String name) {
    for (int i = 0; fields != null && i + 1 < fields.size(); i += 2) {
      if (fields.get(i) != null && name.equals(fields.get(i).toString())) {
        Response v = fields.get(i + 1);
        return v == null ? null : v.toString();
      }
    }
    return null;
  }

  private void handle(Event e, long term) {
    metrics.eventLag(e.type(), clock.millis() - e.sentAt());
    if (e.type().equals(Event.HEARTBEAT)) {
      roster.heard(e);
      if (term >= 0 && leadership.leader() && e.message() != null) {
        outcomes.heard(e.message(), term); // the step its agent is working on is alive
      }
      return;
    }
    if (term >= 0 && leadership.leader()) {
      try (var context = dev.convoy.rollout.LogContext.of(e)) {
        outcomes.apply(e, term);
      }
      if (e.finishes()) {
        wake.run(); // the next step need not wait for the next tick
      }
    }
  }

  private void sleep(long ms) {
    if (!Loops.pause(ms)) {
      running = false;
    }
  }
}
