package dev.convoy.agent.engine;

import java.time.Duration;

/**
 * How the engine treats a live database, whoever runs it (a command or an environment's agent):
 * each statement's lock_timeout and how often one that hit it is retried, and how backfills pace
 * themselves. Checked where the engine checks them, in {@link EngineConfig}.
 */
public record EngineTuning(Duration lockTimeout, int lockRetries, BackfillSettings backfill) {
  public static final EngineTuning DEFAULTS =
      new EngineTuning(
          EngineConfig.DEFAULT_LOCK_TIMEOUT,
          EngineConfig.DEFAULT_LOCK_RETRIES,
          BackfillSettings.DEFAULTS);
}
