package dev.convoy.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.testkit.MovingClock;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Leadership decisions with the lease's monotonic clock moved by the test (real Redis and control
 * database): a leader stands down the moment its local deadline passes, however long Redis still
 * keeps its key, and leads again only under a new epoch. The loop's checks are run by hand.
 */
class LeaseLoopTest {
  /** Long in real time: Redis must not expire a key while a loaded machine runs the test. */
  private static final long TTL_MS = 60_000;

  @TempDir Path dir;

  private ControlFixture f;
  private final MovingClock first = MovingClock.at(Instant.EPOCH);
  private final MovingClock second = MovingClock.at(Instant.EPOCH);

  @BeforeEach
  void start() {
    f = new ControlFixture(dir);
  }

  @AfterEach
  void stop() {
    f.close();
  }

  private LeaseLoop loop(String id, MovingClock clock) {
    return new LeaseLoop(
        id,
        new Lease(f.redis, f.keys.leader(), id, TTL_MS, clock::nanos),
        f.store,
        f.keys,
        new CoordinatorMetrics(ControlFixture.ENVS),
        TTL_MS);
  }

  private String announced() {
    return f.redis.send(Request.cmd(Command.GET).arg(f.keys.epoch())).await().toString();
  }

  @Test
  void a_leader_stands_down_the_moment_its_clock_passes_the_deadline_and_leads_again_newer() {
    LeaseLoop leader = loop("first", first);
    leader.check();
    assertTrue(leader.leader());
    long e1 = leader.epoch();
    assertEquals(Long.toString(e1), announced());
    // The deadline: the ttl less a fifth for clock rates, from when the request was sent.
    first.advance(Duration.ofMillis(TTL_MS * 4 / 5 - 1));
    assertTrue(leader.leader(), "1 ms before the deadline");
    first.advance(Duration.ofMillis(1));
    assertFalse(leader.leader(), "at the deadline, without asking Redis");
    assertFalse(leader.held());
    leader.check(); // its key is still in Redis: it takes it back, as a new term
    assertTrue(leader.leader());
    assertEquals(e1 + 1, leader.epoch(), "a new epoch: commands of the old one are refused");
    assertEquals(Long.toString(e1 + 1), announced());
  }

  @Test
  void a_leader_that_renews_every_third_of_the_ttl_keeps_its_epoch() {
    LeaseLoop leader = loop("first", first);
    leader.check();
    long e1 = leader.epoch();
    for (int i = 0; i < 10; i++) {
      first.advance(Duration.ofMillis(TTL_MS / 3));
      assertTrue(leader.leader(), "renewed " + i + " times");
      leader.check();
    }
    assertEquals(e1, leader.epoch());
    first.advance(Duration.ofMillis(TTL_MS * 4 / 5 - 1));
    assertTrue(leader.leader(), "the last renewal moved the deadline");
  }

  @Test
  void a_standby_does_not_lead_while_the_lease_is_taken_and_leads_newer_once_it_is_given_up() {
    LeaseLoop leader = loop("first", first);
    LeaseLoop standby = loop("second", second);
    leader.check();
    long e1 = leader.epoch();
    standby.check();
    second.advance(Duration.ofMinutes(5)); // the standby's own clock says nothing about the lease
    standby.check();
    assertFalse(standby.leader());
    assertEquals(-1, standby.epoch());
    leader.release();
    standby.check();
    assertTrue(standby.leader());
    assertTrue(standby.epoch() > e1, e1 + " then " + standby.epoch());
    leader.check();
    assertFalse(leader.leader(), "the old leader, asking again, finds the lease taken");
    assertEquals(-1, leader.epoch());
  }
}
