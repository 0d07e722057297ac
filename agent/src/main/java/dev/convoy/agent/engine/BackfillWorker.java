package dev.convoy.agent.engine;

import dev.convoy.agent.db.PgSession;
import dev.convoy.rollout.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What each worker of one backfill does with its walk: before each batch, wait while a replica is
 * too far behind ({@link ReplicaWatch}); run the batch; count it; then let its own {@link
 * PaceController} size the next batch and pause from what the shared {@link AppWatch} saw of the
 * application during it; and keep under the rows-per-second cap (split evenly among workers).
 */
final class BackfillWorker {
  private static final Logger LOG = LoggerFactory.getLogger(BackfillWorker.class);

  /** How often replicas are asked for their lag, and waited for while behind. */
  static final Duration REPLICA_CHECK = Duration.ofMillis(250);

  private final LockRetry retry;
  private final WorkGuard guard;
  private final BackfillSettings settings;
  private final Clock clock;
  private final Sleeper sleeper;
  private final long cap;
  private final AppWatch watch;
  private final ReplicaWatch replicas;
  private final BackfillTally progress;

  /** {@code cap} is this worker's rows per second (0: none). */
  BackfillWorker(
      LockRetry retry,
      WorkGuard guard,
      BackfillSettings settings,
      Clock clock,
      Sleeper sleeper,
      long cap,
      AppWatch watch,
      ReplicaWatch replicas,
      BackfillTally progress) {
    this.retry = retry;
    this.guard = guard;
    this.settings = settings;
    this.clock = clock;
    this.sleeper = sleeper;
    this.cap = cap;
    this.watch = watch;
    this.replicas = replicas;
    this.progress = progress;
  }

  /**
   * Walks with {@code synchronous_commit} off: a batch commits its rows and its cursor together, so
   * a crash that loses the last batches' commits loses both, and the rerun redoes them. The batch
   * no longer waits for its WAL to reach disk (the application's commits and the next synchronous
   * commit, the backfill's end, flush it), and the walk does not hold the WAL write lock the
   * application's commits queue for. Restored for what runs next on the connection.
   */
  void walk(BackfillWalk w, PgSession on, AtomicBoolean stop) {
    on.query("SET synchronous_commit = off");
    try {
      walkBatches(w, on, stop);
    } finally {
      try {
        on.query("RESET synchronous_commit");
      } catch (RuntimeException e) {
        LOG.debug("backfill {}: could not reset synchronous_commit: {}", w.phase(), e.getMessage());
      }
    }
  }

  private void walkBatches(BackfillWalk w, PgSession on, AtomicBoolean stop) {
    watch.backfillPid(dev.convoy.agent.db.BackendPid.of(on));
    PaceController pace = new PaceController(settings, clock);
    long t0 = System.nanoTime();
    long rows = 0;
    while (!w.done() && !stop.get()) {
      awaitReplicas(on);
      int batch = pace.batch();
      Instant from = clock.instant();
      long b0 = System.nanoTime();
      BackfillWalk.Batch b = w.next(on, retry, guard, batch);
      Duration took = Duration.ofNanos(Math.max(1, System.nanoTime() - b0));
      rows += b.updated();
      progress.add(b.updated(), batch);
      AppWatch.Signal seen = watch.since(from);
      Duration pause = pace.after(took, seen);
      if (LOG.isDebugEnabled()) {
        LOG.debug(
            "backfill {}: {} rows in {} ms; application: slowest {} ms, {} blocked ({} samples);"
                + " next {} rows ({} ms), pause {} ms",
            w.phase(),
            b.updated(),
            took.toMillis(),
            Math.round(seen.slowestMs()),
            seen.blocked(),
            seen.samples(),
            pace.batch(),
            pace.batchTime().toMillis(),
            pause.toMillis());
      }
      if (!b.finished()) {
        sleep(pause.toMillis());
      }
      pace(cap, rows, t0);
    }
  }

  /** Waits while a streaming replica is further behind than the limit, saying so. */
  private void awaitReplicas(PgSession on) {
    var behind = replicas.check(on);
    if (behind.isEmpty()) {
      return;
    }
    Instant since = clock.instant();
    while (behind.isPresent()) {
      progress.paused(behind.get().describe());
      sleep(REPLICA_CHECK.toMillis());
      behind = replicas.check(on);
    }
    progress.resumed(Duration.between(since, clock.instant()));
  }

  private void sleep(long ms) {
    if (ms <= 0) {
      return;
    }
    try {
      sleeper.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while pacing a backfill", e);
    }
  }

  private static void pace(long maxRowsPerSecond, long rows, long t0) {
    if (maxRowsPerSecond <= 0) {
      return;
    }
    long dueNanos = (long) (rows * 1e9 / maxRowsPerSecond);
    long aheadMs = (dueNanos - (System.nanoTime() - t0)) / 1_000_000;
    if (aheadMs > 0) {
      try {
        Thread.sleep(aheadMs);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while pacing a backfill", e);
      }
    }
  }
}
