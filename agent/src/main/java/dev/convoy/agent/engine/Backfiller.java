package dev.convoy.agent.engine;

import dev.convoy.agent.db.PgSession;
import dev.convoy.migration.Migration;
import dev.convoy.ops.BackfillStep;
import dev.convoy.ops.Sql;
import dev.convoy.rollout.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Fills rows in short batches (see {@link BackfillWalk}), walking the primary key (composite keys
 * compared as row values), else a unique index over NOT NULL columns, else physical pages (ctid
 * ranges, up to the table's size when the backfill started, so rows moved by the backfill's own
 * updates are not visited twice). Each worker's batches are paced by a {@link PaceController} from
 * what an {@link AppWatch} sees of the application (slow statements, sessions waiting for the
 * backfill's row locks); an optional rows-per-second cap sleeps between batches; and with a replica
 * lag limit, every worker waits between batches while a streaming replica is further behind than it
 * (see {@link ReplicaWatch}).
 *
 * <p>A big table is split into ranges (see {@link BackfillPlanner}) walked by several workers at
 * once, each on its own connection: one backend updates about 300,000 rows a second, and a second
 * one on another core nearly doubles that.
 */
final class Backfiller {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Backfiller.class);
  private final PgSession db;
  private final Supplier<PgSession> connect;
  private final BackfillPlanner planner;
  private final LockRetry retry;
  private final BackfillSettings settings;
  private final MigrationListener listener;

  /** In distributed mode, every batch's transaction checks the fence and the ledger first. */
  private final WorkGuard guard;

  private final Clock clock;
  private final Sleeper sleeper;

  /** How often the application is sampled while a backfill runs. */
  static final Duration WATCH_EVERY = Duration.ofMillis(20);

  /** How often replicas are asked for their lag, and waited for while behind. */
  static final Duration REPLICA_CHECK = Duration.ofMillis(250);

  /** {@code connect} opens another connection, set up like {@code db}, for each extra worker. */
  Backfiller(
      PgSession db,
      Supplier<PgSession> connect,
      String schema,
      LockRetry retry,
      BackfillSettings settings,
      MigrationListener listener,
      WorkGuard guard) {
    this(db, connect, schema, retry, settings, listener, guard, Clock.systemUTC(), Sleeper.THREAD);
  }

  Backfiller(
      PgSession db,
      Supplier<PgSession> connect,
      String schema,
      LockRetry retry,
      BackfillSettings settings,
      MigrationListener listener,
      WorkGuard guard,
      Clock clock,
      Sleeper sleeper) {
    this.clock = clock;
    this.sleeper = sleeper;
    this.db = db;
    this.connect = connect;
    this.guard = guard;
    this.planner =
        new BackfillPlanner(db, Sql.ident(schema) + ".progress", settings.workers(), guard);
    this.retry = retry;
    this.settings = settings;
    this.listener = listener;
  }

  void run(Migration m, int group, BackfillStep step) {
    BackfillPlanner.Plan plan = planner.plan(m, group, step);
    if (plan.done()) {
      return;
    }
    Progress progress = new Progress(m, step.table(), plan.estimate(), plan.rowsDone());
    List<BackfillWalk> walks = plan.walks().stream().filter(w -> !w.done()).toList();
    long cap =
        settings.maxRowsPerSecond() <= 0
            ? 0
            : Math.max(
                1, (settings.maxRowsPerSecond() + walks.size() - 1) / Math.max(1, walks.size()));
    ReplicaWatch replicas = new ReplicaWatch(settings.maxReplicaLag(), REPLICA_CHECK, clock);
    try (AppWatch watch = watch()) {
      Pacing pacing = new Pacing(cap, watch, replicas, progress);
      if (walks.size() <= 1) {
        for (BackfillWalk w : walks) {
          walk(w, db, pacing, new AtomicBoolean());
        }
      } else {
        parallel(walks, pacing, progress);
      }
    }
    planner.markDone(m, group);
    progress.finish();
  }

  /** The application's watch, on a connection of its own; blind when none can be had. */
  private AppWatch watch() {
    try {
      return AppWatch.start(connect.get(), WATCH_EVERY, clock);
    } catch (RuntimeException e) {
      return AppWatch.blind(clock);
    }
  }

  /** What every worker of one backfill shares: the rate cap, the watches, the progress. */
  private record Pacing(long cap, AppWatch watch, ReplicaWatch replicas, Progress progress) {}

  /**
   * Walks {@code walks[0]} here on {@code db} and each other on a thread and connection of its own.
   */
  private void parallel(List<BackfillWalk> walks, Pacing pacing, Progress progress) {
    AtomicBoolean stop = new AtomicBoolean();
    List<CompletableFuture<Boolean>> others = new ArrayList<>();
    for (int i = 1; i < walks.size(); i++) {
      BackfillWalk w = walks.get(i);
      others.add(
          Background.async(
              "convoy-backfill-" + w.phase(),
              () -> {
                PgSession own;
                try {
                  own = connect.get();
                } catch (RuntimeException e) {
                  // No connection to spare (max_connections, a pooler's limit): this range is
                  // walked on the main connection once its own range is done.
                  return false;
                }
                try (own) {
                  walk(w, own, pacing, stop);
                  Migrator.flush(own.text());
                } catch (RuntimeException | Error e) {
                  stop.set(true);
                  throw e;
                }
                return true;
              }));
    }
    Throwable first = null;
    try {
      walk(walks.get(0), db, pacing, stop);
    } catch (RuntimeException | Error e) {
      stop.set(true);
      first = e;
    }
    // Every worker is waited for, whatever failed: none may still write once the revision is
    // undone.
    for (int i = 0; i < others.size(); i++) {
      try {
        if (!Background.join(others.get(i)) && first == null) {
          walk(walks.get(i + 1), db, pacing, stop);
        }
      } catch (RuntimeException | Error e) {
        stop.set(true);
        first = first == null ? e : first;
      }
    }
    if (first instanceof RuntimeException r) {
      throw r;
    }
    if (first instanceof Error e) {
      throw e;
    }
  }

  /**
   * Walks with {@code synchronous_commit} off: a batch commits its rows and its cursor together, so
   * a crash that loses the last batches' commits loses both, and the rerun redoes them. The batch
   * no longer waits for its WAL to reach disk (the application's commits and the next synchronous
   * commit, the backfill's end, flush it), and the walk does not hold the WAL write lock the
   * application's commits queue for. Restored for what runs next on the connection.
   */
  private void walk(BackfillWalk w, PgSession on, Pacing pacing, AtomicBoolean stop) {
    on.query("SET synchronous_commit = off");
    try {
      walkBatches(w, on, pacing, stop);
    } finally {
      try {
        on.query("RESET synchronous_commit");
      } catch (RuntimeException e) {
        LOG.debug("backfill {}: could not reset synchronous_commit: {}", w.phase(), e.getMessage());
      }
    }
  }

  private void walkBatches(BackfillWalk w, PgSession on, Pacing pacing, AtomicBoolean stop) {
    pacing.watch().backfillPid(dev.convoy.agent.db.BackendPid.of(on));
    PaceController pace = new PaceController(settings, clock);
    long t0 = System.nanoTime();
    long rows = 0;
    while (!w.done() && !stop.get()) {
      awaitReplicas(on, pacing);
      int batch = pace.batch();
      Instant from = clock.instant();
      long b0 = System.nanoTime();
      BackfillWalk.Batch b = w.next(on, retry, guard, batch);
      Duration took = Duration.ofNanos(Math.max(1, System.nanoTime() - b0));
      rows += b.updated();
      pacing.progress().add(b.updated(), batch);
      AppWatch.Signal seen = pacing.watch().since(from);
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
      pace(pacing.cap(), rows, t0);
    }
  }

  /** Waits while a streaming replica is further behind than the limit, saying so. */
  private void awaitReplicas(PgSession on, Pacing pacing) {
    var behind = pacing.replicas().check(on);
    if (behind.isEmpty()) {
      return;
    }
    Instant since = clock.instant();
    while (behind.isPresent()) {
      pacing.progress().paused(behind.get().describe());
      sleep(REPLICA_CHECK.toMillis());
      behind = pacing.replicas().check(on);
    }
    pacing.progress().resumed(Duration.between(since, clock.instant()));
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

  /** Rows done across the walks, reported to the listener one batch at a time. */
  private final class Progress {
    private final Migration m;
    private final String table;
    private final long estimate;
    private final long doneAtStart;
    private final long t0 = System.nanoTime();
    private long done;
    private int lastBatch;

    Progress(Migration m, String table, long estimate, long doneAtStart) {
      this.m = m;
      this.table = table;
      this.estimate = estimate;
      this.doneAtStart = doneAtStart;
      this.done = doneAtStart;
    }

    synchronized void add(long rows, int batch) {
      done += rows;
      lastBatch = batch;
      listener.backfill(
          m, new BackfillProgress(table, done, Math.max(estimate, done), rate(), batch, false));
    }

    synchronized void paused(String why) {
      listener.backfillPaused(m, table, why);
    }

    synchronized void resumed(Duration after) {
      listener.backfillResumed(m, table, after);
    }

    synchronized void finish() {
      listener.backfill(m, new BackfillProgress(table, done, done, rate(), lastBatch, true));
    }

    private double rate() {
      double seconds = (System.nanoTime() - t0) / 1e9;
      return seconds <= 0 ? 0 : (done - doneAtStart) / seconds;
    }
  }
}
