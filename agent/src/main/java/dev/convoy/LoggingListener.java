package dev.convoy;

import dev.convoy.agent.engine.BackfillProgress;
import dev.convoy.agent.engine.Direction;
import dev.convoy.agent.engine.LockTimeoutException;
import dev.convoy.agent.engine.MigrationListener;
import dev.convoy.agent.lock.LockHolder;
import dev.convoy.migration.Migration;
import dev.convoy.ops.Phase;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an embedding application sees of its migration by default: one line per revision through
 * SLF4J (logger {@code dev.convoy.Convoy}), so the application's own logging configuration decides
 * where it goes. Waits and lock retries are warnings; backfill batches are debug lines.
 */
final class LoggingListener implements MigrationListener {
  private static final Logger LOG = LoggerFactory.getLogger(Convoy.class);

  @Override
  public void waitingForLock(LockHolder holder) {
    LOG.info("Waiting for the migration lock: another migration holds it, {}", holder);
  }

  @Override
  public void connectionLost(String what) {
    LOG.warn("{}", what);
  }

  @Override
  public void planned(List<Migration> plan, Direction direction) {
    if (plan.isEmpty()) {
      LOG.info("Nothing to {}: the database is already there", direction.word());
    } else {
      LOG.info(
          "{} {} revision(s)",
          direction == Direction.UPGRADE ? "Applying" : "Reverting",
          plan.size());
    }
  }

  @Override
  public void lockRetry(
      String what,
      int attempt,
      int retries,
      List<LockTimeoutException.Blocker> blockers,
      Duration backoff) {
    LOG.warn(
        "{} waited past lock_timeout (attempt {} of {}); trying again in {} ms; blocked by {}",
        what,
        attempt,
        retries + 1,
        backoff.toMillis(),
        blockers);
  }

  @Override
  public void phase(Migration m, Phase phase) {
    LOG.debug("{}: {}", m.revision(), phase);
  }

  @Override
  public void backfill(Migration m, BackfillProgress p) {
    LOG.debug(
        "{}: backfill {} {} of ~{} rows, {} rows/s",
        m.revision(),
        p.table(),
        p.rowsDone(),
        p.estimatedTotal(),
        (long) p.rowsPerSecond());
  }

  @Override
  public void backfillPaused(Migration m, String table, String why) {
    LOG.info("{}: backfill {} paused: {}", m.revision(), table, why);
  }

  @Override
  public void backfillResumed(Migration m, String table, Duration after) {
    LOG.info("{}: backfill {} resumed after {} ms", m.revision(), table, after.toMillis());
  }

  @Override
  public void finished(Migration m, Direction direction, Duration took, String state) {
    String done =
        switch (state) {
          case "expanded" -> "Expanded";
          case "reverted" -> "Reverted";
          default -> direction == Direction.UPGRADE ? "Applied" : "Reverted";
        };
    LOG.info(
        "{} {} ({}) in {} ms{}",
        done,
        m.revision(),
        m.message(),
        took.toMillis(),
        state.equals("expanded") ? " (contract pending)" : "");
  }
}
