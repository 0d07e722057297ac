package dev.convoy.agent.engine;

import dev.convoy.agent.db.PgSession;
import dev.convoy.migration.Migration;
import dev.convoy.ops.BackfillStep;
import dev.convoy.ops.Sql;
import dev.convoy.rollout.Sleeper;
import java.time.Clock;
import java.time.Duration;
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
    BackfillTally progress =
        new BackfillTally(listener, m, step.table(), plan.estimate(), plan.rowsDone());
    List<BackfillWalk> walks = plan.walks().stream().filter(w -> !w.done()).toList();
    long cap =
        settings.maxRowsPerSecond() <= 0
            ? 0
            : Math.max(
                1, (settings.maxRowsPerSecond() + walks.size() - 1) / Math.max(1, walks.size()));
    ReplicaWatch replicas =
        new ReplicaWatch(settings.maxReplicaLag(), BackfillWorker.REPLICA_CHECK, clock);
    try (AppWatch watch = watch()) {
      BackfillWorker worker =
          new BackfillWorker(
              retry, guard, settings, clock, sleeper, cap, watch, replicas, progress);
      if (walks.size() <= 1) {
        for (BackfillWalk w : walks) {
          worker.walk(w, db, new AtomicBoolean());
        }
      } else {
        parallel(walks, worker);
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

  /**
   * Walks {@code walks[0]} here on {@code db} and each other on a thread and connection of its own.
   */
  private void parallel(List<BackfillWalk> walks, BackfillWorker worker) {
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
                  worker.walk(w, own, stop);
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
      worker.walk(walks.get(0), db, stop);
    } catch (RuntimeException | Error e) {
      stop.set(true);
      first = e;
    }
    // Every worker is waited for, whatever failed: none may still write once the revision is
    // undone.
    for (int i = 0; i < others.size(); i++) {
      try {
        if (!Background.join(others.get(i)) && first == null) {
          worker.walk(walks.get(i + 1), db, stop);
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
}
