package dev.convoy.agent.engine;

import dev.convoy.agent.db.PgSession;
import dev.convoy.agent.state.StateStore;
import io.vertx.core.Vertx;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/** Vert.x, its connection and the phased runners: started on first use, or ahead of it. */
final class PhasedWork implements AutoCloseable {
  private final Supplier<Vertx> vertx;
  private final EngineConfig config;
  private final StateStore state;
  private final MigrationListener listener;
  private final LockRetry retry;
  private final String sessionSettings;
  private CompletableFuture<PgSession> starting;
  private PgSession db;
  private PhasedRunner runner;

  PhasedWork(
      Supplier<Vertx> vertx,
      EngineConfig config,
      StateStore state,
      MigrationListener listener,
      LockRetry retry,
      String sessionSettings) {
    this.vertx = vertx;
    this.config = config;
    this.state = state;
    this.listener = listener;
    this.retry = retry;
    this.sessionSettings = sessionSettings;
  }

  /** Starts Vert.x in the background, when a phased revision is coming. */
  /**
   * Starts Vert.x, opens the phased work's connection and warms the JSON codec (the backfill's
   * cursors) in the background: about a third of a second a phased revision would otherwise wait.
   */
  synchronized void prepare() {
    if (starting == null) {
      starting =
          Background.async(
              "convoy-start",
              () -> {
                PgSession s =
                    PgSession.open(
                        vertx.get(), config.url(), config.who().applicationName("migrate"));
                s.query(sessionSettings);
                io.vertx.core.json.JsonObject warm =
                    new io.vertx.core.json.JsonObject("{\"after\": [\"1\"], \"done\": false}");
                warm.encode();
                return s;
              });
    }
  }

  synchronized PhasedRunner runner() {
    if (runner == null) {
      prepare();
      db = Background.join(starting);
      Vertx v = vertx.get();
      Backfiller backfiller =
          new Backfiller(v, db, config.schema(), retry, config.backfill(), listener);
      StepRunner steps =
          new StepRunner(db, config.schema(), retry, backfiller, listener, config.who().epoch());
      runner = new PhasedRunner(db, state, steps, config.who());
    }
    return runner;
  }

  @Override
  public synchronized void close() {
    if (db == null && starting != null) {
      // Prepared but never used (the plan had nothing phased left): close what was opened.
      try {
        db = Background.join(starting);
      } catch (RuntimeException e) {
        return;
      }
    }
    if (db != null) {
      Migrator.flush(db.text());
      db.close();
    }
  }
}
