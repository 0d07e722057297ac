package dev.convoy.agent.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.testkit.MovingClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The pace a backfill worker keeps, moved by what the application is seen to go through. */
class PaceControllerTest {
  private static final AppWatch.Signal CLEAR = new AppWatch.Signal(2, 1.0, 0);
  private static final AppWatch.Signal SLOW = new AppWatch.Signal(2, 25.0, 0);
  private static final AppWatch.Signal BLOCKED = new AppWatch.Signal(2, 3.0, 1);

  private final MovingClock clock = MovingClock.at(Instant.parse("2026-12-01T10:00:00Z"));
  private final PaceController pace = new PaceController(BackfillSettings.DEFAULTS, clock);

  /** A batch that took {@code ms}, then the pause it was given, as the worker lives them. */
  private Duration batch(long ms, AppWatch.Signal seen) {
    clock.advance(Duration.ofMillis(ms));
    Duration pause = pace.after(Duration.ofMillis(ms), seen);
    clock.advance(pause);
    return pause;
  }

  @Test
  void a_clear_application_gets_no_pause_and_batches_sized_to_the_target_time() {
    for (int i = 0; i < 10; i++) {
      assertEquals(Duration.ZERO, batch(15, CLEAR));
    }
    assertEquals(Duration.ofMillis(30), pace.batchTime());
    assertEquals(BackfillSettings.MAX_BATCH, pace.batch(), "doubled from 1,000 up to the cap");
  }

  @Test
  void a_session_waiting_for_the_backfills_row_locks_halves_the_batch_time_down_to_the_floor() {
    batch(30, BLOCKED);
    assertEquals(Duration.ofMillis(15), pace.batchTime());
    for (int i = 0; i < 10; i++) {
      batch(30, BLOCKED);
    }
    assertEquals(PaceController.MIN_BATCH_TIME, pace.batchTime());
    assertEquals(BackfillSettings.MIN_BATCH, pace.batch(), "rows shrink with the time");
  }

  @Test
  void slow_application_statements_make_the_worker_pause_doubling_from_its_batch_time() {
    // Past the start, so the pause budget (a share of the elapsed time) is not what limits.
    for (int i = 0; i < 50; i++) {
      batch(30, CLEAR);
    }
    assertEquals(Duration.ofMillis(20), batch(20, SLOW));
    assertEquals(Duration.ofMillis(40), batch(20, SLOW));
    assertEquals(Duration.ofMillis(80), batch(20, SLOW));
  }

  @Test
  void pauses_never_take_more_than_their_share_of_the_elapsed_time() {
    long busy = 0;
    long paused = 0;
    for (int i = 0; i < 500; i++) {
      busy += 20;
      paused += batch(20, SLOW).toMillis();
    }
    double share = paused / (double) (busy + paused);
    assertTrue(share <= PaceController.MAX_PAUSE_SHARE + 0.001, "paused share " + share);
    assertTrue(share >= PaceController.MAX_PAUSE_SHARE - 0.02, "and uses it: " + share);
    assertTrue(batch(20, SLOW).compareTo(PaceController.MAX_PAUSE) <= 0, "none past the cap");
  }

  @Test
  void once_clear_for_a_while_the_pause_halves_and_the_batch_time_grows_back_to_the_target() {
    for (int i = 0; i < 50; i++) {
      batch(30, CLEAR);
    }
    batch(20, BLOCKED);
    batch(20, SLOW);
    assertEquals(Duration.ofMillis(40), batch(20, SLOW));
    assertEquals(Duration.ofMillis(15), pace.batchTime());
    // Within CLEAR_FOR of the last hurt, a clear batch changes nothing.
    assertEquals(Duration.ofMillis(40), batch(10, CLEAR));
    assertEquals(Duration.ofMillis(15), pace.batchTime());
    clock.advance(PaceController.CLEAR_FOR);
    assertEquals(Duration.ofMillis(20), batch(10, CLEAR));
    assertEquals(Duration.ofNanos(18_750_000), pace.batchTime());
    for (int i = 0; i < 20; i++) {
      batch(10, CLEAR);
    }
    assertEquals(Duration.ZERO, batch(10, CLEAR));
    assertEquals(Duration.ofMillis(30), pace.batchTime());
  }
}
