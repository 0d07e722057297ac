package dev.convoy.agent.engine;

import dev.convoy.agent.db.PgSession;
import dev.convoy.agent.db.PoolerCheck;
import dev.convoy.agent.db.TextSession;
import dev.convoy.agent.lock.MigrationLock;
import dev.convoy.agent.state.StateStore;
import dev.convoy.error.ConvoyException;
import dev.convoy.error.ErrorCode;
import dev.convoy.graph.Planner;
import dev.convoy.graph.RevisionGraph;
import dev.convoy.migration.Migration;
import dev.convoy.phases.ExpandOrder;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The single-database commands that change state: upgrade, downgrade, stamp. Each takes the
 * migration lock, re-reads the version table under it, checks the directory against what was
 * applied, and only then changes anything — so any number of instances may run the same command at
 * once and every revision still runs exactly once.
 */
public final class Migrator {
  private final Supplier<Vertx> vertx;
  private final EngineConfig config;
  private final Supplier<RevisionGraph> directory;
  private CompletableFuture<RevisionGraph> graph;
  private final MigrationListener listener;
  private final StateStore state;

  public Migrator(
      Vertx vertx, EngineConfig config, RevisionGraph graph, MigrationListener listener) {
    this(() -> vertx, config, () -> graph, listener);
  }

  /**
   * As above, with the migrations directory read and Vert.x started only when needed, and in
   * parallel: the directory is read while the lock connection opens; an instance that takes the
   * lock starts Vert.x for its work at once, while one that finds another instance migrating waits
   * on a blocking pgjdbc connection (see {@link dev.convoy.agent.db.JdbcSession}) and, when that
   * one brings the database to the target, returns without ever starting it. Problems in the
   * directory are still reported before any other error.
   */
  public Migrator(
      Supplier<Vertx> vertx,
      EngineConfig config,
      Supplier<RevisionGraph> directory,
      MigrationListener listener) {
    this.vertx = vertx;
    this.config = config;
    this.directory = directory;
    this.listener = listener;
    this.state = new StateStore(config.schema());
  }

  public MigrationResult upgrade(String target) {
    return upgrade(target, PhaseMode.ALL);
  }

  /**
   * Upgrades to {@code target}. {@link PhaseMode#EXPAND} stops each phased revision after expand
   * and backfill (recorded as expanded), so the new application can be deployed before contract;
   * {@link PhaseMode#CONTRACT} only finishes revisions left expanded.
   */
  public MigrationResult upgrade(String target, PhaseMode mode) {
    return locked(
        graph -> {
          if (graph.isEmpty()) {
            throw new ConvoyException(
                ErrorCode.BAD_INPUT,
                "the migrations directory has no revisions; create one with 'convoy revision -m"
                    + " \"...\"'");
          }
        },
        db -> {
          Planner planner = new Planner(graph());
          List<String> from = state.heads(db.text());
          StateValidator.requireConsistent(graph(), from, state.recordedChecksums(db.text()));
          Set<String> expanded = state.expanded(db.text());
          Set<String> pending =
              mode == PhaseMode.CONTRACT
                  ? Set.of()
                  : planner.upgrade(from, target).stream()
                      .map(Migration::revision)
                      .collect(java.util.stream.Collectors.toSet());
          List<Migration> work =
              graph().all().stream()
                  .filter(
                      m ->
                          pending.contains(m.revision())
                              || (mode != PhaseMode.EXPAND && expanded.contains(m.revision())))
                  .toList();
          Optional<ExpandOrder.Wait> wait = Optional.empty();
          if (mode == PhaseMode.EXPAND) {
            // Expand-first: a revision that needs an earlier one's contract waits for it.
            wait =
                ExpandOrder.firstWait(
                    graph().all().stream().filter(m -> expanded.contains(m.revision())).toList(),
                    work);
            if (wait.isPresent()) {
              work = work.subList(0, work.indexOf(wait.get().waiting()));
            }
          }
          Preflight.requireSafe(
              config, work.stream().filter(m -> !expanded.contains(m.revision())).toList());
          MigrationResult done =
              new PlanRunner(state, graph(), listener, Holds.of(config))
                  .upgrade(db, from, expanded, work, mode);
          return wait.map(w -> done.heldBack(heldBack(w))).orElse(done);
        },
        db -> {
          // Read without the lock while waiting: once another instance has brought the database
          // to the target there is nothing left to do, and the lock need not be taken at all.
          // Cheapest question first: the version table, then expanded revisions, then checksums.
          Planner planner = new Planner(graph());
          List<String> from = state.heads(db);
          if (mode != PhaseMode.CONTRACT && !planner.upgrade(from, target).isEmpty()) {
            return Optional.empty();
          }
          if (mode != PhaseMode.EXPAND && !state.expanded(db).isEmpty()) {
            return Optional.empty();
          }
          StateValidator.requireConsistent(graph(), from, state.recordedChecksums(db));
          return Optional.of(new MigrationResult(from, from, List.of()));
        });
  }

  public MigrationResult downgrade(String target, boolean allowDataLoss) {
    return downgrade((planner, from) -> planner.downgrade(from, target), allowDataLoss);
  }

  /**
   * Downgrades to exactly {@code targetHeads} (empty: base), whichever branches the database has
   * beyond them: how a rollback returns to every head an environment started from.
   */
  public MigrationResult downgradeTo(List<String> targetHeads, boolean allowDataLoss) {
    return downgrade((planner, from) -> planner.downgradeTo(from, targetHeads), allowDataLoss);
  }

  /** Refuses, without changing anything, a plan that cannot be undone or drops rows unasked. */
  private MigrationResult downgrade(
      java.util.function.BiFunction<Planner, List<String>, List<Migration>> planned,
      boolean allowDataLoss) {
    return locked(
        db -> {
          Planner planner = new Planner(graph());
          List<String> from = state.heads(db.text());
          StateValidator.requireConsistent(graph(), from, state.recordedChecksums(db.text()));
          List<Migration> plan = planned.apply(planner, from);
          Preflight.requireReversible(plan);
          Set<String> expanded = state.expanded(db.text());
          Holds holds = Holds.of(config);
          holds.requireRestorable(db.text(), plan, expanded);
          if (!allowDataLoss) {
            Preflight.requireNoDataLoss(db.text(), plan, holds.losses(db.text(), plan, expanded));
          }
          return new PlanRunner(state, graph(), listener, holds)
              .downgrade(db, from, expanded, plan);
        });
  }

  /**
   * Records {@code target} as applied without running anything. Revisions newly covered get a
   * 'stamp' history row with their file's checksum, which is also how an edited applied file is
   * accepted. {@code purge} first empties the version table, whatever it holds.
   */
  public MigrationResult stamp(String target, boolean purge) {
    return locked(
        db -> {
          List<String> from = state.heads(db.text());
          Set<String> base = new LinkedHashSet<>(purge ? List.<String>of() : from);
          if (!purge) {
            List<StateValidator.Unknown> unknown = StateValidator.unknown(graph(), from);
            if (!unknown.isEmpty()) {
              throw new ConvoyException(
                  ErrorCode.UNKNOWN_APPLIED_REVISION,
                  unknown.get(0).describe() + "\nNothing was changed.");
            }
          }
          return new Stamper(db.text(), state, graph(), config.who()).stamp(base, from, target);
        });
  }

  /** Runs {@code work} under the migration lock. */
  private <T> T locked(Function<PlanRunner.Sessions, T> work) {
    return locked(graph -> {}, work, db -> Optional.empty());
  }

  /**
   * Opens the lock connection (while the directory is read), takes the lock, runs {@code work},
   * releases. {@code check} sees the directory first. While waiting, {@code shortcut} may find
   * there is nothing to do and answer instead; it is also asked before the lock is taken, except by
   * the instance that finds the lock free at once (it checks again under the lock anyway).
   */
  private <T> T locked(
      Consumer<RevisionGraph> check,
      Function<PlanRunner.Sessions, T> work,
      Function<TextSession, Optional<T>> shortcut) {
    startReading();
    TextSession lockDb;
    try {
      lockDb = PgSession.openText(config.url(), config.who().applicationName("migrate"));
    } catch (RuntimeException e) {
      check.accept(graph()); // a broken directory is the first thing to fix
      throw e;
    }
    try (lockDb;
        MigrationLock lock = new MigrationLock(lockDb, config.schema())) {
      long t0 = System.nanoTime();
      // Behind a pooler in transaction pooling the lock would not hold: refuse before taking it.
      try {
        PoolerCheck.requireSessionState(
            lockDb, vertx, config.url(), config.who().applicationName("migrate"));
      } catch (RuntimeException e) {
        check.accept(graph());
        throw e;
      }
      // Whoever finds the lock free migrates; Vert.x starts only if phased work needs it.
      boolean free = lock.tryAcquire();
      check.accept(graph());
      if (!free) {
        AtomicReference<Optional<T>> early = new AtomicReference<>(Optional.empty());
        boolean held =
            lock.acquire(
                listener::waitingForLock,
                () -> {
                  early.set(shortcut.apply(lockDb));
                  return early.get().isPresent();
                });
        if (!held) {
          return early.get().get();
        }
      }
      listener.lockAcquired(Duration.ofNanos(System.nanoTime() - t0));
      return underLock(lockDb, work);
    }
  }

  /** Starts reading the migrations directory in the background, once. */
  private synchronized void startReading() {
    if (graph == null) {
      graph = Background.async("convoy-read", directory);
    }
  }

  /** The migrations directory's graph; its problems are thrown as read. */
  private RevisionGraph graph() {
    startReading();
    return Background.join(graph);
  }

  /** The locked part of {@link #locked}: the runners, on the lock's connection. */
  private <T> T underLock(TextSession db, Function<PlanRunner.Sessions, T> work) {
    try (LockRetry retry =
            new LockRetry(
                vertx,
                config.url(),
                config.who().applicationName("watch"),
                config.lockTimeout(),
                config.lockRetries(),
                listener);
        PhasedWork phased =
            new PhasedWork(vertx, config, state, listener, retry, sessionSettings(config))) {
      // A phased revision not applied yet (or one left expanded) will need Vert.x: start it
      // now, while the state is read and the plan made.
      Set<String> applied = graph().closure(state.heads(db));
      if (graph().all().stream()
              .anyMatch(m -> !applied.contains(m.revision()) && StepRunner.phased(m))
          || !state.expanded(db).isEmpty()) {
        phased.prepare();
      }
      db.execute(sessionSettings(config));
      try {
        return work.apply(
            new PlanRunner.Sessions(
                db,
                new RevisionRunner(
                    db,
                    state,
                    config.lockTimeout(),
                    retry,
                    config.who(),
                    new LostConnection(
                        config.url(), config.who().applicationName("migrate"), state, listener)),
                phased,
                VersionHooks.keeper(db, state, graph(), retry)));
      } finally {
        flush(db);
      }
    }
  }

  /**
   * Every work connection's settings. Group commit: each revision still commits atomically with its
   * version row, but without waiting for its own WAL flush. A server crash mid-run can lose only
   * whole revisions (the next run applies them again); {@link #flush} makes everything durable
   * before the command reports, because WAL is flushed in order.
   */
  static String sessionSettings(EngineConfig config) {
    return "SET lock_timeout = "
        + dev.convoy.ops.Sql.literal(config.lockTimeout().toMillis() + "ms")
        + "; SET synchronous_commit = off";
  }

  /** Makes every commit so far durable: a synchronous commit flushes the WAL up to itself. */
  static void flush(TextSession db) {
    try {
      db.execute("SET synchronous_commit = on; BEGIN; SELECT txid_current(); COMMIT");
    } catch (RuntimeException e) {
      // The connection is gone: the server flushes on its own within wal_writer_delay.
    }
  }

  private static String heldBack(ExpandOrder.Wait w) {
    return "Stopped before "
        + w.waiting().revision()
        + " ("
        + w.waiting().file()
        + "), which waits for the contract of "
        + w.blocker().revision()
        + " ("
        + w.blocker().file()
        + "): "
        + w.reason()
        + ". Deploy the application for "
        + w.blocker().revision()
        + ", run 'convoy upgrade --phase contract', then 'convoy upgrade --phase expand' again for"
        + " the rest.";
  }

  static String describe(List<String> heads) {
    return heads.isEmpty() ? "base" : String.join(", ", heads);
  }
}
