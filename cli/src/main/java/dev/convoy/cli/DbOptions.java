package dev.convoy.cli;

import dev.convoy.agent.db.DatabaseUrl;
import dev.convoy.agent.engine.BackfillSettings;
import dev.convoy.agent.engine.EngineConfig;
import dev.convoy.agent.state.Who;
import dev.convoy.config.Durations;
import dev.convoy.graph.RevisionGraph;
import dev.convoy.migration.MigrationDirectory;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options every command that reads migrations or a database takes. */
public final class DbOptions {
  @Option(
      names = "--url",
      paramLabel = "URL",
      description =
          "Target database, postgresql://user:pass@host:port/db (env CONVOY_DATABASE_URL).")
  String url;

  @Option(
      names = "--dir",
      paramLabel = "DIR",
      defaultValue = "migrations",
      description =
          "Migrations directory holding versions/ (env CONVOY_MIGRATIONS_DIR; default"
              + " ${DEFAULT-VALUE}).")
  Path dir;

  @Option(
      names = "--schema",
      defaultValue = "convoy",
      description =
          "Schema of Convoy's state tables (env CONVOY_SCHEMA; default ${DEFAULT-VALUE}).")
  String schema;

  @Option(
      names = "--lock-timeout",
      defaultValue = "2s",
      description =
          "lock_timeout for each DDL statement (env CONVOY_LOCK_TIMEOUT; default"
              + " ${DEFAULT-VALUE}).")
  String lockTimeout;

  @Option(
      names = "--lock-retries",
      defaultValue = "5",
      description =
          "Times a statement that hit --lock-timeout is retried, with jittered backoff (env"
              + " CONVOY_LOCK_RETRIES; default ${DEFAULT-VALUE}).")
  int lockRetries;

  @Option(
      names = "--batch-time",
      defaultValue = "30ms",
      description =
          "Backfill batches are sized to take about this long (env CONVOY_BATCH_TIME; default"
              + " ${DEFAULT-VALUE}).")
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
              + " CONVOY_BACKFILL_WORKERS; default ${DEFAULT-VALUE}; 1 on a one-core server).")
  int backfillWorkers;

  @Option(names = "--json", description = "Print data as JSON.")
  boolean json;

  RevisionGraph graph() {
    return MigrationDirectory.load(dir);
  }

  EngineConfig engine() {
    return engine(java.util.Set.of());
  }

  EngineConfig engine(java.util.Set<String> allowUnsafe) {
    return new EngineConfig(
        new DatabaseUrl(url),
        schema,
        Durations.parse("--lock-timeout", lockTimeout),
        lockRetries,
        new BackfillSettings(
            Durations.parse("--batch-time", batchTime),
            BackfillSettings.DEFAULTS.initialBatch(),
            maxRowsPerSecond,
            backfillWorkers),
        allowUnsafe,
        Who.local());
  }

  boolean hasUrl() {
    return url != null && !url.isBlank();
  }
}
