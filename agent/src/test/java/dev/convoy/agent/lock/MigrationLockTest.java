package dev.convoy.agent.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.agent.db.TextSession;
import dev.convoy.testkit.MovingClock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * How a waiter polls for the migration lock, on a clock the test moves and a session that answers
 * what the test says: the jittered, growing pauses, and the moment it stops.
 */
class MigrationLockTest {
  private final MovingClock clock = MovingClock.at(Instant.parse("2030-01-01T00:00:00Z"));

  /**
   * A session where the lock is free from the {@code freeAt}-th try on; nobody visibly holds it.
   */
  private static final class Session implements TextSession {
    final int freeAt;
    int tries;
    final List<String> sql = new ArrayList<>();

    Session(int freeAt) {
      this.freeAt = freeAt;
    }

    @Override
    public List<String[]> rows(String q) {
      sql.add(q);
      if (q.contains("pg_try_advisory_lock")) {
        if (++tries > 1000) {
          throw new AssertionError("polled 1000 times: the waiter's pauses do not move the clock");
        }
        return List.<String[]>of(new String[] {tries >= freeAt ? "true" : "false"});
      }
      return List.of(); // the holder lookup: nobody to name
    }

    @Override
    public Optional<Failure> pipeline(List<String> sqls, long[] doneAt) {
      throw new UnsupportedOperationException();
    }

    @Override
    public int pid() {
      return 1;
    }

    @Override
    public void close() {}
  }

  private MigrationLock lock(Session s, double random) {
    return new MigrationLock(s, "convoy", clock::sleep, () -> random);
  }

  @Test
  void
      a_waiter_polls_after_pauses_growing_from_20_ms_by_1_6_up_to_100_ms_and_takes_the_free_lock() {
    Session s = new Session(8);
    assertTrue(lock(s, 0.5).acquire(h -> {}, () -> false));
    assertEquals(8, s.tries);
    assertEquals(List.of(20L, 32L, 51L, 81L, 100L, 100L, 100L), clock.sleeps());
  }

  @Test
  void each_pause_is_jittered_between_three_quarters_and_five_quarters() {
    Session low = new Session(3);
    lock(low, 0.0).acquire(h -> {}, () -> false);
    assertEquals(List.of(15L, 24L), clock.sleeps());
    MovingClock other = MovingClock.at(Instant.EPOCH);
    new MigrationLock(new Session(3), "convoy", other::sleep, () -> 0.999)
        .acquire(h -> {}, () -> false);
    assertEquals(List.of(24L, 39L), other.sleeps());
  }

  @Test
  void a_waiter_stops_without_the_lock_at_the_first_poll_after_its_work_was_done_elsewhere() {
    Session s = new Session(Integer.MAX_VALUE);
    MigrationLock lock = lock(s, 0.5);
    // Another instance finishes the work while this one has waited 180 ms.
    boolean got =
        lock.acquire(h -> {}, () -> clock.nanos() >= java.time.Duration.ofMillis(180).toNanos());
    assertFalse(got);
    assertEquals(List.of(20L, 32L, 51L, 81L), clock.sleeps(), "184 ms of pauses, then it stopped");
    assertEquals(4, s.tries);
  }

  @Test
  void an_instance_with_nothing_to_do_never_takes_the_lock() {
    Session s = new Session(1);
    assertFalse(lock(s, 0.5).acquire(h -> {}, () -> true));
    assertEquals(0, s.tries);
    assertEquals(List.of(), clock.sleeps());
  }
}
