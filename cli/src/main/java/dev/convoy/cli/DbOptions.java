package dev.convoy.cli;

import dev.convoy.agent.db.DatabaseUrl;
import dev.convoy.agent.engine.EngineConfig;
import dev.convoy.agent.engine.EngineTuning;
import dev.convoy.agent.state.Who;
import dev.convoy.graph.RevisionGraph;
import dev.convoy.migration.MigrationDirectory;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
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
      description = "Migrations directory holding versions/ (env CONVOY_MIGRATIONS_DIR).")
  Path dir;

  @Option(
      names = "--schema",
      defaultValue = "convoy",
      description = "Schema of Convoy's state tables (env CONVOY_SCHEMA).")
  String schema;

  @Mixin EngineOptions tuning = new EngineOptions();

  @Option(names = "--json", description = "Print data as JSON.")
  boolean json;

  RevisionGraph graph() {
    return MigrationDirectory.load(dir);
  }

  EngineConfig engine() {
    return engine(java.util.Set.of());
  }

  EngineConfig engine(java.util.Set<String> allowUnsafe) {
    EngineTuning t = tuning.tuning();
    return new EngineConfig(
        new DatabaseUrl(url),
        schema,
        t.lockTimeout(),
        t.lockRetries(),
        t.backfill(),
        allowUnsafe,
        Who.local(),
        t.revertWindow(),
        java.time.Clock.systemUTC());
  }

  boolean hasUrl() {
    return url != null && !url.isBlank();
  }
}
