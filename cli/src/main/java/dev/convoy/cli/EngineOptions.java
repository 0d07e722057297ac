package dev.convoy.cli;

import dev.convoy.agent.engine.BackfillSettings;
import dev.convoy.agent.engine.EngineTuning;
import dev.convoy.config.Durations;
import picocli.CommandLine.Option;

/**
 * How the engine treats a live database: lock timeouts and retries, backfill pacing and workers.
 * Taken by every database command and by {@code convoy agent}, so each environment's agent can be
 * tuned to its own database.
 */
public final class EngineOptions {
  @Option(
      names = "--lock-timeout",
      defaultValue = "2s",
      description =
          "The lock_timeout set for each DDL statement: one that waits longer for its lock gives"
              + " up and is retried (env CONVOY_LOCK_TIMEOUT).")
  String lockTimeout;

  @Option(
      names = "--lock-retries",
      defaultValue = "5",
      description =
          "Times a statement that hit --lock-timeout is retried, with jittered backoff (env"
              + " CONVOY_LOCK_RETRIES).")
  int lockRetries;

  @Option(
      names = "--batch-time",
      defaultValue = "30ms",
      description = "Backfill batches are sized to take about this long (env CONVOY_BATCH_TIME).")
  String batchTime;

  @Option(
      names = "--max-rows-per-second",
      defaultValue = "0",
      description = "Cap on backfill rows per second, 0 for none (env CONVOY_MAX_ROWS_PER_SECOND).")
  long maxRowsPerSecond;

  @Option(
      names = "--backfill-workers",
      defaultValue = "2",
      description =
          "Connections that backfill a big table at once, each walking its own key range (env"
              + " CONVOY_BACKFILL_WORKERS; 1 on a one-core server).")
  int backfillWorkers;

  @Option(
      names = "--revert-window",
      defaultValue = "7d",
      description =
          "How long contract keeps what drop_column and drop_table drop (renamed out of the way),"
              + " so a downgrade can bring it back with its data; 'convoy purge' ends it early."
              + " 0 drops at once (env CONVOY_REVERT_WINDOW).")
  String revertWindow;

  @Option(
      names = "--max-replica-lag",
      defaultValue = "0",
      description =
          "A backfill waits between batches while a streaming replica is further behind than"
              + " this, e.g. 5s; 0 for no limit. Reading replicas' positions needs pg_monitor"
              + " (env CONVOY_MAX_REPLICA_LAG).")
  String maxReplicaLag;

  /** The options as the engine takes them; the durations are checked here, the rest by it. */
  EngineTuning tuning() {
    return new EngineTuning(
        Durations.parse("--lock-timeout", lockTimeout),
        lockRetries,
        new BackfillSettings(
            Durations.parse("--batch-time", batchTime),
            BackfillSettings.DEFAULTS.initialBatch(),
            maxRowsPerSecond,
            backfillWorkers,
            Durations.parse("--max-replica-lag", maxReplicaLag)),
        Durations.parse("--revert-window", revertWindow));
  }
}
