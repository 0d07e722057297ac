package dev.convoy.agent.engine;

import dev.convoy.agent.db.DatabaseUrl;
import dev.convoy.agent.state.Who;
import dev.convoy.migration.MigrationDirectory;
import dev.convoy.testkit.TestDatabase;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;

/** Engines for tests: one Vert.x for the test JVM, and configs with test-sized settings. */
final class Engines {
  static final Vertx VERTX = Vertx.vertx();

  private Engines() {}

  static EngineConfig config(
      TestDatabase db, Duration lockTimeout, int lockRetries, BackfillSettings backfill) {
    return new EngineConfig(
        new DatabaseUrl(db.url()), "convoy", lockTimeout, lockRetries, backfill, Who.local());
  }

  static Migrator migrator(Path dir, EngineConfig config, MigrationListener listener) {
    return new Migrator(VERTX, config, MigrationDirectory.load(dir), listener);
  }
}
