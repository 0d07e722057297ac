package dev.convoy.cli;

import dev.convoy.cli.log.LogSettings;
import dev.convoy.error.ConvoyException;
import dev.convoy.error.ErrorCode;
import picocli.CommandLine.Option;

/**
 * How a daemon (coordinator, agent) logs: {@code --log-format text|json} and {@code --log-level},
 * each also from the environment (CONVOY_LOG_FORMAT, CONVOY_LOG_LEVEL) or convoy.yaml. JSON lines
 * carry the rollout, environment, step and epoch the line is about, for Loki or ELK.
 */
final class LogOptions {
  @Option(
      names = "--log-format",
      defaultValue = "text",
      paramLabel = "<logFormat>",
      description =
          "How log lines are written: text, one readable line per event, or json, one JSON"
              + " object per line with time, level, logger, message and the rollout, env, step and"
              + " epoch it is about, for Loki or ELK (env CONVOY_LOG_FORMAT).")
  String format;

  @Option(
      names = "--log-level",
      defaultValue = "info",
      paramLabel = "<logLevel>",
      description =
          "How much of Convoy's own work is logged: error, warn, info or debug (debug adds"
              + " PostgreSQL's notices); other libraries log warnings only (env"
              + " CONVOY_LOG_LEVEL).")
  String level;

  /** Applies both to the process's logging; a bad value is a clear error and changes nothing. */
  void apply() {
    try {
      LogSettings.Format f = LogSettings.Format.parse(format);
      LogSettings.configure(f, LogSettings.parseLevel(level));
    } catch (IllegalArgumentException e) {
      throw new ConvoyException(ErrorCode.BAD_INPUT, e.getMessage());
    }
  }

  /**
   * Says a daemon is up: the plain line on stderr, or in JSON an {@code info} object whatever the
   * level, so every line of a JSON log parses and the address is always there.
   */
  static void announce(Cli cli, String logger, String message) {
    if (LogSettings.json()) {
      LogSettings.announce(logger, message);
    } else {
      cli.err().println(message);
      cli.err().flush();
    }
  }
}
