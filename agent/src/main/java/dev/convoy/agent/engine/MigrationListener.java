package dev.convoy.agent.engine;

import dev.convoy.agent.lock.LockHolder;
import dev.convoy.migration.Migration;
import java.time.Duration;
import java.util.List;

/** Hears what the engine does, for progress output; every method defaults to silence. */
public interface MigrationListener {
  MigrationListener SILENT = new MigrationListener() {};

  default void waitingForLock(LockHolder holder) {}

  default void lockAcquired(Duration waited) {}

  /**
   * The connection broke while a revision ran; Convoy is finding out from the server what happened
   * to it, or says what it found.
   */
  default void connectionLost(String what) {}

  /** The revisions about to run, in order; empty when there is nothing to do. */
  default void planned(List<Migration> plan, Direction direction) {}

  default void starting(Migration m, Direction direction) {}

  /** A statement hit lock_timeout and will be tried again after {@code backoff}. */
  default void lockRetry(
      String what,
      int attempt,
      int retries,
      List<LockTimeoutException.Blocker> blockers,
      Duration backoff) {}

  /** A phase of a phased revision starts. */
  default void phase(Migration m, dev.convoy.ops.Phase phase) {}

  /** A backfill batch committed. */
  default void backfill(Migration m, BackfillProgress progress) {}

  /**
   * A backfill waits before its next batch, for {@code why} (e.g. "replica r1 is 12 s behind, limit
   * 5 s"); said again while the wait lasts, about every quarter second.
   */
  default void backfillPaused(Migration m, String table, String why) {}

  /** A backfill that waited goes on, after waiting {@code after}. */
  default void backfillResumed(Migration m, String table, java.time.Duration after) {}

  default void finished(Migration m, Direction direction, Duration took) {}

  /**
   * A revision finished in {@code state}: "applied", "expanded" (its contract still to run) or
   * "reverted". By default the same as {@link #finished(Migration, Direction, Duration)}.
   */
  default void finished(Migration m, Direction direction, Duration took, String state) {
    finished(m, direction, took);
  }
}
