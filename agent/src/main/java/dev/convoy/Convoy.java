package dev.convoy;

import dev.convoy.agent.db.DatabaseUrl;
import dev.convoy.agent.engine.EngineConfig;
import dev.convoy.agent.engine.Inspector;
import dev.convoy.agent.engine.MigrationListener;
import dev.convoy.agent.engine.MigrationResult;
import dev.convoy.agent.engine.Migrator;
import dev.convoy.agent.engine.PhaseMode;
import dev.convoy.agent.state.Who;
import dev.convoy.graph.RevisionGraph;
import dev.convoy.migration.MigrationDirectory;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.file.FileSystemOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Convoy for applications that migrate at startup, from plain Java:
 *
 * <pre>{@code
 * try (Convoy convoy = Convoy.configure().url(url).migrations(Path.of("migrations")).load()) {
 *   MigrationResult r = convoy.upgrade("head");
 * }
 * }</pre>
 *
 * Logs through SLF4J only (slf4j-api 2; bring the application's provider: Logback, Log4j 2,
 * slf4j-simple). Safe when many instances start at once: each revision runs exactly once, the
 * others wait and return with nothing applied. {@link #load()} reads and checks the whole
 * migrations directory; a bad one fails there, before any connection is opened. Calls block the
 * calling thread (never call them from a Vert.x event loop).
 */
public final class Convoy implements AutoCloseable {
  private final Vertx vertx;
  private final EngineConfig config;
  private final RevisionGraph graph;
  private final MigrationListener listener;

  private Convoy(
      Vertx vertx, EngineConfig config, RevisionGraph graph, MigrationListener listener) {
    this.vertx = vertx;
    this.config = config;
    this.graph = graph;
    this.listener = listener;
  }

  public static Builder configure() {
    return new Builder();
  }

  public MigrationResult upgrade(String target) {
    return migrator().upgrade(target);
  }

  /**
   * Upgrades only as far as {@code mode} says: {@link PhaseMode#EXPAND} leaves phased revisions
   * expanded (safe for the running application), {@link PhaseMode#CONTRACT} finishes them.
   */
  public MigrationResult upgrade(String target, PhaseMode mode) {
    return migrator().upgrade(target, mode);
  }

  public MigrationResult downgrade(String target) {
    return migrator().downgrade(target, false);
  }

  /** The revisions the database is at (its applied heads); empty at base. */
  public List<String> current() {
    return new Inspector(vertx, config, graph).snapshot().heads();
  }

  public RevisionGraph graph() {
    return graph;
  }

  private Migrator migrator() {
    return new Migrator(vertx, config, graph, listener);
  }

  @Override
  public void close() {
    vertx.close().await();
  }

  /** Collects settings; {@link #load()} validates them and the migrations. */
  public static final class Builder {
    private String url;
    private Path migrations = Path.of("migrations");
    private String schema = EngineConfig.DEFAULT_SCHEMA;
    private Duration lockTimeout = EngineConfig.DEFAULT_LOCK_TIMEOUT;
    private MigrationListener listener = new LoggingListener();

    private Builder() {}

    /** {@code postgresql://user:password@host:port/database}. */
    public Builder url(String url) {
      this.url = url;
      return this;
    }

    /** The migrations directory (the folder holding {@code versions/}). */
    public Builder migrations(Path dir) {
      this.migrations = Objects.requireNonNull(dir, "migrations");
      return this;
    }

    /** Where Convoy keeps its state tables; default {@code convoy}. */
    public Builder schema(String schema) {
      this.schema = schema;
      return this;
    }

    /** The lock_timeout every DDL statement runs with; default 2 s. */
    public Builder lockTimeout(Duration lockTimeout) {
      this.lockTimeout = lockTimeout;
      return this;
    }

    /**
     * Hears each revision, lock wait and backfill batch. By default Convoy logs them through SLF4J
     * (logger {@code dev.convoy.Convoy}); {@link MigrationListener#SILENT} says nothing.
     */
    public Builder listener(MigrationListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    public Convoy load() {
      EngineConfig config =
          new EngineConfig(new DatabaseUrl(url), schema, lockTimeout, Who.local());
      RevisionGraph graph = MigrationDirectory.load(migrations);
      Vertx vertx =
          Vertx.vertx(
              new VertxOptions()
                  .setEventLoopPoolSize(1)
                  .setWorkerPoolSize(1)
                  .setInternalBlockingPoolSize(1)
                  // A CLI reads no classpath resources through Vert.x: skip its file cache.
                  .setFileSystemOptions(
                      new FileSystemOptions()
                          .setFileCachingEnabled(false)
                          .setClassPathResolvingEnabled(false)));
      return new Convoy(vertx, config, graph, listener);
    }
  }
}
