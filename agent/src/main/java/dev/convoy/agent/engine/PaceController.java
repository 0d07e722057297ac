package dev.convoy.agent.engine;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Paces one backfill worker by what the application sees ({@link AppWatch.Signal}): the size of its
 * next batch and the pause before it.
 *
 * <p>A batch hurts the application in two ways, and each has its lever. Its row locks, held until
 * it commits, stall the application's updates of those rows for up to the batch's time: when a
 * session waits for a lock a backfill worker holds, the batch time is halved (down to {@link
 * #MIN_BATCH_TIME}), so locks are held for less. Its work (CPU, WAL to flush before the
 * application's commits, new row versions and index entries at the pages the application inserts
 * into) slows every statement, whatever rows it touches: when an application statement is seen
 * running for {@link #SLOW_MS} or more, the worker pauses after each batch, the pause doubling
 * (from the batch's own time, up to {@link #MAX_PAUSE}) while statements stay slow. Once nothing
 * has been slow or blocked for {@link #CLEAR_FOR}, the pause halves and the batch time grows back
 * by a quarter per batch towards the configured one (additive-increase, multiplicative-decrease, as
 * TCP does for the same reason: back off at once, come back carefully).
 *
 * <p>The hazard is wall time: a backfill that always pauses never ends. Pauses are capped at {@link
 * #MAX_PAUSE_SHARE} of the worker's elapsed time, so the worst case costs a quarter more time and
 * not more; a statement slow for reasons of its own costs the backfill that and no more. The batch
 * size follows the batch time as before: scaled by target/took, at most doubling or halving per
 * batch. Time is read from the injected clock.
 */
final class PaceController {
  /** An application statement running this long is hurt: half the p99 budget of 20 ms. */
  static final double SLOW_MS = 10;

  static final Duration MIN_BATCH_TIME = Duration.ofMillis(5);
  static final Duration MAX_PAUSE = Duration.ofMillis(200);
  static final Duration CLEAR_FOR = Duration.ofMillis(250);

  /** At most this share of a worker's time is spent pausing for the application. */
  static final double MAX_PAUSE_SHARE = 0.2;

  private final Clock clock;
  private final Duration target;
  private final Instant started;
  private Duration batchTime;
  private int batch;
  private Duration pause = Duration.ZERO;
  private Instant lastHurt;
  private long pausedNanos;

  PaceController(BackfillSettings settings, Clock clock) {
    this.clock = clock;
    this.target = settings.targetBatchTime();
    this.batchTime = target;
    this.batch = settings.initialBatch();
    this.started = clock.instant();
    this.lastHurt = started.minus(CLEAR_FOR);
  }

  /** Rows for the next batch. */
  int batch() {
    return batch;
  }

  /** The batch time aimed at now (the configured one unless the application was blocked). */
  Duration batchTime() {
    return batchTime;
  }

  /**
   * The last batch took {@code took}; {@code seen} is what the application went through since it
   * started. Sets the next batch's size and answers the pause to make before it.
   */
  Duration after(Duration took, AppWatch.Signal seen) {
    Instant now = clock.instant();
    boolean blocked = seen.blocked() > 0;
    boolean slow = seen.slowestMs() >= SLOW_MS;
    if (blocked || slow) {
      lastHurt = now;
    }
    if (blocked) {
      batchTime = max(MIN_BATCH_TIME, batchTime.dividedBy(2));
    }
    if (slow) {
      Duration start = took.compareTo(MIN_BATCH_TIME) < 0 ? MIN_BATCH_TIME : took;
      pause = min(MAX_PAUSE, pause.isZero() ? start : pause.multipliedBy(2));
    } else if (!blocked && !Duration.between(lastHurt, now).minus(CLEAR_FOR).isNegative()) {
      pause = pause.compareTo(Duration.ofMillis(2)) < 0 ? Duration.ZERO : pause.dividedBy(2);
      batchTime = min(target, batchTime.plus(batchTime.dividedBy(4)));
    }
    batch = resize(batch, took, batchTime);
    return budgeted(now);
  }

  /**
   * The pause, cut to what keeps pausing within its share of the elapsed time once it is over:
   * (paused + p) <= share * (elapsed + p).
   */
  private Duration budgeted(Instant now) {
    long elapsed = Duration.between(started, now).toNanos();
    long allowed = (long) ((MAX_PAUSE_SHARE * elapsed - pausedNanos) / (1 - MAX_PAUSE_SHARE));
    Duration out = Duration.ofNanos(Math.max(0, Math.min(pause.toNanos(), allowed)));
    pausedNanos += out.toNanos();
    return out;
  }

  /** Scales the batch towards {@code aim}, at most doubling or halving per batch. */
  static int resize(int batch, Duration took, Duration aim) {
    double factor = aim.toNanos() / (double) Math.max(1, took.toNanos());
    factor = Math.max(0.5, Math.min(2.0, factor));
    int next = (int) (batch * factor);
    return Math.max(BackfillSettings.MIN_BATCH, Math.min(BackfillSettings.MAX_BATCH, next));
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
