package dev.convoy.agent.daemon;

import dev.convoy.agent.engine.ConnectionLoss;
import dev.convoy.agent.engine.MigrationResult;
import dev.convoy.ops.Sql;
import dev.convoy.rollout.Command;
import dev.convoy.rollout.Loops;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a command's work again when the connection to the database was lost mid-way (its backend
 * terminated, the network cut): the engine left the database as a crash would, every transaction
 * committed with its progress or rolled back, and the command's ledger row is still {@code
 * running}, so the next attempt re-reads the version table and the backfill cursors under the
 * migration lock and resumes. It waits for the database to answer again, for up to {@code within}
 * after each loss, then gives up with the last error.
 *
 * <p>Before resuming it waits until none of the lost attempt's sessions is still running a
 * statement: the server finishes (and may commit) a batch whose client is gone, and the resume must
 * read that batch's cursor, not the one before it.
 */
final class ResumeAfterLoss {
  private static final Logger log = LoggerFactory.getLogger(ResumeAfterLoss.class);
  private static final long FIRST_BACKOFF_MS = 500;
  private static final long MAX_BACKOFF_MS = 2000;

  private final String agentId;
  private final SessionHolder stateDb;
  private final List<String> workSessions;
  private final Duration within;
  private final BooleanSupplier running;

  /** {@code workSessions}: the application names of the engine's connections in this process. */
  ResumeAfterLoss(
      String agentId,
      SessionHolder stateDb,
      List<String> workSessions,
      Duration within,
      BooleanSupplier running) {
    this.agentId = agentId;
    this.stateDb = stateDb;
    this.workSessions = List.copyOf(workSessions);
    this.within = within;
    this.running = running;
  }

  MigrationResult run(Command c, Supplier<MigrationResult> work) {
    for (int attempt = 1; ; attempt++) {
      try {
        return work.get();
      } catch (RuntimeException e) {
        if (!ConnectionLoss.is(e) || !running.getAsBoolean()) {
          throw e;
        }
        log.warn(
            "{} - {}: lost the connection to the database ({}); resuming the step once it answers"
                + " again (attempt {}, waiting up to {} s)",
            agentId,
            c.key(),
            firstLine(e),
            attempt + 1,
            within.toSeconds());
        if (!awaitQuiet(System.nanoTime() + within.toNanos())) {
          throw e;
        }
        log.info("{} - {}: the database answers again; resuming", agentId, c.key());
      }
    }
  }

  /**
   * Polls, with backoff, until the database answers and runs no statement of this process's work
   * sessions any more; false past the deadline or when the agent stops.
   */
  private boolean awaitQuiet(long deadline) {
    long backoff = FIRST_BACKOFF_MS;
    String busy =
        "SELECT count(*)::text FROM pg_stat_activity WHERE datname = current_database()"
            + " AND pid <> pg_backend_pid() AND state <> 'idle' AND application_name IN ("
            + String.join(", ", workSessions.stream().map(Sql::literal).toList())
            + ")";
    while (running.getAsBoolean() && System.nanoTime() < deadline) {
      if (!Loops.pause(backoff)) {
        return false;
      }
      backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
      try {
        String n;
        synchronized (stateDb) {
          n = stateDb.get().value(busy);
        }
        if ("0".equals(n)) {
          return true;
        }
      } catch (RuntimeException e) {
        stateDb.reset(); // still unreachable
      }
    }
    return false;
  }

  private static String firstLine(Throwable e) {
    String m = String.valueOf(e.getMessage());
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
