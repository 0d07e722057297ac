package dev.convoy.agent.engine;

import dev.convoy.agent.db.PgSession;
import dev.convoy.migration.Migration;
import dev.convoy.ops.BackfillStep;
import dev.convoy.ops.Sql;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Fills rows in short batches (see {@link BackfillWalk}), walking the primary key (composite keys
 * compared as row values), else a unique index over NOT NULL columns, else physical pages (ctid
 * ranges, up to the table's size when the backfill started, so rows moved by the backfill's own
 * updates are not visited twice). Batch size adapts towards a target batch time; an optional
 * rows-per-second cap sleeps between batches.
 *
 * <p>A big table is split into ranges (see {@link BackfillPlanner}) walked by several workers at
 * once, each on its own connection: one backend updates about 300,000 rows a second, and a second
 * one on another core nearly doubles that.
 */
final class Backfiller {
  private final PgSession db;
  private final Supplier<PgSession> connect;
  private final BackfillPlanner planner;
  private final LockRetry retry;
  private final BackfillSettings settings;
  private final MigrationListener listener;

  /** In distributed mode, every batch's transaction checks the fence and the ledger first. */
  private final WorkGuard guard;

  /** {@code connect} opens another connection, set up like {@code db}, for each extra worker. */
  Backfiller(
      PgSession db,
      Supplier<PgSession> connect,
      String schema,
      LockRetry retry,
      BackfillSettings settings,
      MigrationListener listener,
      WorkGuard guard) {
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
    if (walks.size() <= 1) {
      for (BackfillWalk w : walks) {
        walk(w, db, cap, progress, new AtomicBoolean());
      }
    } else {
      parallel(walks, cap, progress);
    }
    planner.markDone(m, group);
    progress.finish();
  }

  /**
   * Walks {@code walks[0]} here on {@code db} and each other on a thread and connection of its own.
   */
  private void parallel(List<BackfillWalk> walks, long cap, Progress progress) {
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
                  walk(w, own, cap, progress, stop);
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
      walk(walks.get(0), db, cap, progress, stop);
    } catch (RuntimeException | Error e) {
      stop.set(true);
      first = e;
    }
    // Every worker is waited for, whatever failed: none may still write once the revision is
    // undone.
    for (int i = 0; i < others.size(); i++) {
      try {
        if (!Background.join(others.get(i)) && first == null) {
          walk(walks.get(i + 1), db, cap, progress, stop);
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

  private void walk(BackfillWalk w, PgSession on, long cap, Progress progress, AtomicBoolean stop) {
    int batch = settings.initialBatch();
    long t0 = System.nanoTime();
    long rows = 0;
    while (!w.done() && !stop.get()) {
      long b0 = System.nanoTime();
      BackfillWalk.Batch b = w.next(on, retry, guard, batch);
      long took = Math.max(1, System.nanoTime() - b0);
      rows += b.updated();
      progress.add(b.updated(), batch);
      pace(cap, rows, t0);
      batch = nextBatch(batch, took);
    }
  }

  /** Scales the batch towards the target time, at most doubling or halving per batch. */
  private int nextBatch(int batch, long tookNanos) {
    double factor = (settings.targetBatchTime().toNanos()) / (double) tookNanos;
    factor = Math.max(0.5, Math.min(2.0, factor));
    int next = (int) (batch * factor);
    return Math.max(BackfillSettings.MIN_BATCH, Math.min(BackfillSettings.MAX_BATCH, next));
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

    synchronized void finish() {
      listener.backfill(m, new BackfillProgress(table, done, done, rate(), lastBatch, true));
    }

    private double rate() {
      double seconds = (System.nanoTime() - t0) / 1e9;
      return seconds <= 0 ? 0 : (done - doneAtStart) / seconds;
    }
  }
}
