package dev.convoy.agent.engine;

import dev.convoy.agent.db.PgSession;
import dev.convoy.agent.lock.MigrationLock;
import dev.convoy.agent.state.StateStore;
import dev.convoy.error.ConvoyException;
import dev.convoy.error.ErrorCode;
import dev.convoy.graph.Planner;
import dev.convoy.graph.RevisionGraph;
import dev.convoy.migration.Migration;
import dev.convoy.ops.DataLoss;
import dev.convoy.ops.Operation;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * The single-database commands that change state: upgrade, downgrade, stamp. Each takes the
 * migration lock, re-reads the version table under it, checks the directory against what was
 * applied, and only then changes anything — so any number of instances may run the same command at
 * once and every revision still runs exactly once.
 */
public final class Migrator {
  private final Vertx vertx;
  private final EngineConfig config;
  private final RevisionGraph graph;
  private final MigrationListener listener;
  private final StateStore state;

  public Migrator(
      Vertx vertx, EngineConfig config, RevisionGraph graph, MigrationListener listener) {
    this.vertx = vertx;
    this.config = config;
    this.graph = graph;
    this.listener = listener;
    this.state = new StateStore(config.schema());
  }

  public MigrationResult upgrade(String target) {
    Planner planner = new Planner(graph);
    if (graph.isEmpty()) {
      throw new ConvoyException(
          ErrorCode.BAD_INPUT,
          "the migrations directory has no revisions; create one with 'convoy revision -m \"...\"'");
    }
    return locked(
        db -> {
          List<String> from = state.heads(db);
          StateValidator.requireConsistent(graph, from, state.recordedChecksums(db));
          List<Migration> plan = planner.upgrade(from, target);
          return run(db, from, plan, Direction.UPGRADE);
        },
        db -> {
          // Read without the lock while waiting: once another instance has brought the database
          // to the target there is nothing left to do, and the lock need not be taken at all.
          List<String> from = state.heads(db);
          StateValidator.requireConsistent(graph, from, state.recordedChecksums(db));
          return planner.upgrade(from, target).isEmpty()
              ? Optional.of(new MigrationResult(from, from, List.of()))
              : Optional.empty();
        });
  }

  public MigrationResult downgrade(String target, boolean allowDataLoss) {
    Planner planner = new Planner(graph);
    return locked(
        db -> {
          List<String> from = state.heads(db);
          StateValidator.requireConsistent(graph, from, state.recordedChecksums(db));
          List<Migration> plan = planner.downgrade(from, target);
          requireReversible(plan);
          if (!allowDataLoss) {
            requireNoDataLoss(db, plan);
          }
          return run(db, from, plan, Direction.DOWNGRADE);
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
          List<String> from = state.heads(db);
          Set<String> base = new LinkedHashSet<>(purge ? List.<String>of() : from);
          if (!purge) {
            List<StateValidator.Unknown> unknown = StateValidator.unknown(graph, from);
            if (!unknown.isEmpty()) {
              throw new ConvoyException(
                  ErrorCode.UNKNOWN_APPLIED_REVISION,
                  unknown.get(0).describe() + "\nNothing was changed.");
            }
          }
          return new Stamper(db, state, graph, config.who()).stamp(base, from, target);
        });
  }

  private MigrationResult run(
      PgSession db, List<String> from, List<Migration> plan, Direction direction) {
    RevisionRunner runner = new RevisionRunner(db, state, config.lockTimeout(), config.who());
    Set<String> applied = new LinkedHashSet<>(graph.closure(from));
    List<AppliedRevision> done = new ArrayList<>();
    List<String> heads = from;
    listener.planned(plan, direction);
    if (!plan.isEmpty()) {
      // Only now: a command that is refused, or has nothing to do, leaves a fresh database as is.
      state.ensure(db);
    }
    for (Migration m : plan) {
      if (direction == Direction.UPGRADE) {
        applied.add(m.revision());
      } else {
        applied.remove(m.revision());
      }
      Set<String> after = graph.headsOf(applied);
      listener.starting(m, direction);
      Duration took =
          runner.run(m, direction, after, "the database is still at " + describe(heads) + ".");
      listener.finished(m, direction, took);
      done.add(new AppliedRevision(m.revision(), m.message(), direction, took));
      heads = List.copyOf(after);
    }
    return new MigrationResult(from, heads, done);
  }

  private static void requireReversible(List<Migration> plan) {
    List<String> reasons = new ArrayList<>();
    for (Migration m : plan) {
      for (Operation op : m.operations()) {
        op.irreversibleReason()
            .ifPresent(r -> reasons.add("revision " + m.revision() + " (" + m.file() + "): " + r));
      }
    }
    if (!reasons.isEmpty()) {
      throw new ConvoyException(
          ErrorCode.BAD_INPUT,
          "cannot downgrade: " + String.join("\n  ", reasons) + "\nNothing was changed.");
    }
  }

  private static void requireNoDataLoss(PgSession db, List<Migration> plan) {
    List<String> losses = new ArrayList<>();
    for (Migration m : plan) {
      for (Operation op : m.operations()) {
        for (DataLoss loss : op.dataLossOnDown()) {
          long rows = countOrZero(db, loss);
          if (rows > 0) {
            losses.add(
                "revision "
                    + m.revision()
                    + " would drop "
                    + loss.describe()
                    + ", losing "
                    + rows
                    + (rows == 1 ? " row" : " rows")
                    + " of data");
          }
        }
      }
    }
    if (!losses.isEmpty()) {
      throw new ConvoyException(
          ErrorCode.DATA_LOSS_REFUSED,
          "downgrade refused: "
              + String.join("; ", losses)
              + ". Back the data up, then run again with --allow-data-loss. Nothing was changed.");
    }
  }

  /** A table or column already gone loses nothing. */
  private static long countOrZero(PgSession db, DataLoss loss) {
    try {
      db.query("BEGIN READ ONLY");
      return db.query(loss.countSql()).iterator().next().getLong(0);
    } catch (RuntimeException e) {
      return 0;
    } finally {
      db.query("ROLLBACK");
    }
  }

  /** Runs {@code work} under the migration lock. */
  private <T> T locked(Function<PgSession, T> work) {
    return locked(work, db -> Optional.empty());
  }

  /**
   * Opens a work and a lock connection, takes the lock, runs {@code work}, releases. While waiting,
   * {@code shortcut} may find there is nothing to do and answer instead.
   */
  private <T> T locked(Function<PgSession, T> work, Function<PgSession, Optional<T>> shortcut) {
    try (PgSession lockDb =
            PgSession.open(vertx, config.url(), config.who().applicationName("lock"));
        PgSession db =
            PgSession.open(vertx, config.url(), config.who().applicationName("migrate"));
        MigrationLock lock = new MigrationLock(lockDb, config.schema())) {
      long t0 = System.nanoTime();
      AtomicReference<Optional<T>> early = new AtomicReference<>(Optional.empty());
      boolean held =
          lock.acquire(
              vertx,
              listener::waitingForLock,
              () -> {
                early.set(shortcut.apply(db));
                return early.get().isPresent();
              });
      if (!held) {
        return early.get().get();
      }
      listener.lockAcquired(Duration.ofNanos(System.nanoTime() - t0));
      return work.apply(db);
    }
  }

  static String describe(List<String> heads) {
    return heads.isEmpty() ? "base" : String.join(", ", heads);
  }
}
