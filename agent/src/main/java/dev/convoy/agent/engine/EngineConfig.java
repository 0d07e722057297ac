package dev.convoy.agent.engine;

import dev.convoy.agent.db.DatabaseUrl;
import dev.convoy.agent.state.Who;
import dev.convoy.error.ConvoyException;
import dev.convoy.error.ErrorCode;
import java.time.Duration;
import java.util.Objects;

/**
 * Where and how the engine works; validated here, immutable after. {@code lockRetries} is how many
 * times a statement that hit its lock_timeout is tried again (with jittered backoff) before the
 * revision fails. {@code revertWindow}: how long a contract keeps what drop_column and drop_table
 * drop (zero: dropped at once); {@code clock} tells when such a window is over.
 */
public record EngineConfig(
    DatabaseUrl url,
    String schema,
    Duration lockTimeout,
    int lockRetries,
    BackfillSettings backfill,
    java.util.Set<String> allowUnsafe,
    Who who,
    Duration revertWindow,
    java.time.Clock clock) {
  public static final String DEFAULT_SCHEMA = "convoy";
  public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofSeconds(2);
  public static final int DEFAULT_LOCK_RETRIES = 5;
  public static final Duration DEFAULT_REVERT_WINDOW = Duration.ofDays(7);

  public EngineConfig(
      DatabaseUrl url,
      String schema,
      Duration lockTimeout,
      int lockRetries,
      BackfillSettings backfill,
      java.util.Set<String> allowUnsafe,
      Who who) {
    this(
        url,
        schema,
        lockTimeout,
        lockRetries,
        backfill,
        allowUnsafe,
        who,
        DEFAULT_REVERT_WINDOW,
        java.time.Clock.systemUTC());
  }

  /** The same, with another revert window and clock. */
  public EngineConfig withRevertWindow(Duration window, java.time.Clock clock) {
    return new EngineConfig(
        url, schema, lockTimeout, lockRetries, backfill, allowUnsafe, who, window, clock);
  }

  public EngineConfig(DatabaseUrl url, String schema, Duration lockTimeout, Who who) {
    this(url, schema, lockTimeout, DEFAULT_LOCK_RETRIES, BackfillSettings.DEFAULTS, who);
  }

  public EngineConfig(
      DatabaseUrl url,
      String schema,
      Duration lockTimeout,
      int lockRetries,
      BackfillSettings backfill,
      Who who) {
    this(url, schema, lockTimeout, lockRetries, backfill, java.util.Set.of(), who);
  }

  /** Checks {@code tuning} as every engine run would. */
  public EngineConfig(DatabaseUrl url, String schema, EngineTuning tuning, Who who) {
    this(
        url,
        schema,
        tuning.lockTimeout(),
        tuning.lockRetries(),
        tuning.backfill(),
        java.util.Set.of(),
        who,
        tuning.revertWindow(),
        java.time.Clock.systemUTC());
  }

  public EngineConfig {
    Objects.requireNonNull(url, "url");
    schema = schema == null ? DEFAULT_SCHEMA : schema;
    lockTimeout = lockTimeout == null ? DEFAULT_LOCK_TIMEOUT : lockTimeout;
    who = who == null ? Who.local() : who;
    backfill = backfill == null ? BackfillSettings.DEFAULTS : backfill;
    allowUnsafe = allowUnsafe == null ? java.util.Set.of() : java.util.Set.copyOf(allowUnsafe);
    revertWindow = revertWindow == null ? DEFAULT_REVERT_WINDOW : revertWindow;
    clock = clock == null ? java.time.Clock.systemUTC() : clock;
    if (revertWindow.isNegative() || revertWindow.toDays() > 3650) {
      throw new ConvoyException(
          ErrorCode.BAD_INPUT,
          "--revert-window "
              + revertWindow
              + " must be between 0 (drop at once) and 3650 days, e.g. 7d (the default)");
    }
    for (String rule : allowUnsafe) {
      if (dev.convoy.lint.Rule.byId(rule).isEmpty()) {
        throw new ConvoyException(
            ErrorCode.BAD_INPUT,
            "--allow-unsafe '"
                + rule
                + "' is not a lint rule; the rules are "
                + java.util.Arrays.stream(dev.convoy.lint.Rule.values())
                    .map(dev.convoy.lint.Rule::id)
                    .toList());
      }
    }
    if (lockRetries < 0 || lockRetries > 1000) {
      throw new ConvoyException(
          ErrorCode.BAD_INPUT,
          "--lock-retries " + lockRetries + " must be between 0 and 1000, e.g. 3");
    }
    if (!schema.matches("[A-Za-z_][A-Za-z0-9_$]{0,62}")) {
      throw new ConvoyException(
          ErrorCode.BAD_INPUT,
          "schema '" + schema + "' is not a plain identifier (letters, digits, _; at most 63)");
    }
    if (lockTimeout.isNegative() || lockTimeout.isZero() || lockTimeout.toHours() > 1) {
      throw new ConvoyException(
          ErrorCode.BAD_INPUT,
          "lock timeout " + lockTimeout + " must be more than 0 and at most 1 hour (default 2s)");
    }
  }
}
