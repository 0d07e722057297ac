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
                PgSession s = open();
                // Loads PL/pgSQL into the new backend now: expand's DO blocks otherwise pay for it
                // while they hold the table's lock, and the application's writes queue behind it.
                s.query("DO $convoy$ BEGIN END $convoy$");
                io.vertx.core.json.JsonObject warm =
                    new io.vertx.core.json.JsonObject("{\"after\": [\"1\"], \"done\": false}");
                warm.encode();
                return s;
              });
    }
  }

  /** A connection for phased work, with the engine's session settings. */
  private PgSession open() {
    PgSession s =
        PgSession.open(vertx.get(), config.url(), config.who().applicationName("migrate"));
    try {
      s.query(sessionSettings);
      // Asked now (in the background, while prepared) rather than when a lock wait needs it.
      dev.convoy.agent.db.BackendPid.of(s);
    } catch (RuntimeException e) {
      s.close();
      throw e;
    }
    return s;
  }

  synchronized PhasedRunner runner() {
    if (runner == null) {
      prepare();
      db = Background.join(starting);
      Backfiller backfiller =
          new Backfiller(
              db,
              this::open,
              config.schema(),
              retry,
              config.backfill(),
              listener,
              new WorkGuard(new dev.convoy.agent.state.WorkFence(config.schema(), config.who())));
      StepRunner steps =
          new StepRunner(db, config.schema(), retry, backfiller, listener, config.who());
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
