package dev.convoy.agent.engine;

import java.time.Duration;

/**
 * How the engine treats a live database, whoever runs it (a command or an environment's agent):
 * each statement's lock_timeout and how often one that hit it is retried, how backfills pace
 * themselves, and how long contract keeps what it drops (the revert window; zero drops at once).
 * Checked where the engine checks them, in {@link EngineConfig}.
 */
public record EngineTuning(
    Duration lockTimeout, int lockRetries, BackfillSettings backfill, Duration revertWindow) {
  public static final EngineTuning DEFAULTS =
      new EngineTuning(
          EngineConfig.DEFAULT_LOCK_TIMEOUT,
          EngineConfig.DEFAULT_LOCK_RETRIES,
          BackfillSettings.DEFAULTS);

  public EngineTuning(Duration lockTimeout, int lockRetries, BackfillSettings backfill) {
    this(lockTimeout, lockRetries, backfill, EngineConfig.DEFAULT_REVERT_WINDOW);
  }
}
