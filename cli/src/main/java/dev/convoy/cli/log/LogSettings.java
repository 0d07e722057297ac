package dev.convoy.cli.log;

import java.io.PrintStream;
import java.util.Locale;
import org.slf4j.event.Level;

/**
 * How Convoy's logs are written, for the whole process: the format ({@code text}, the default, or
 * {@code json}, one object per line for Loki or ELK), the level of Convoy's own loggers and where
 * lines go (stderr). Loggers read these on every call, so the daemons set them once their options
 * are parsed, after classes that hold loggers have been loaded. Other libraries' loggers (Vert.x,
 * Netty, pgjdbc) log warnings and errors only, whatever the level: their debug output is theirs.
 */
public final class LogSettings {
  /** The two formats {@code --log-format} takes. */
  public enum Format {
    TEXT,
    JSON;

    /** {@code text} or {@code json}, any case; a clear error for anything else. */
    public static Format parse(String value) {
      try {
        return valueOf(value.strip().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "--log-format '" + value + "' must be text or json (env CONVOY_LOG_FORMAT)");
      }
    }
  }

  private static final Level OTHERS = Level.WARN;
  private static volatile Format format = Format.TEXT;
  private static volatile Level level = Level.WARN;
  private static volatile PrintStream out = System.err;

  private LogSettings() {}

  /** Sets the format and the level of Convoy's loggers ({@code dev.convoy.*}). */
  public static void configure(Format f, Level l) {
    format = f;
    level = l;
  }

  /** Where lines go from now on (a test captures them; stderr otherwise). */
  public static void output(PrintStream stream) {
    out = stream;
  }

  public static Format format() {
    return format;
  }

  public static boolean json() {
    return format == Format.JSON;
  }

  /** {@code error}, {@code warn}, {@code info}, {@code debug} or {@code trace}. */
  public static Level parseLevel(String value) {
    try {
      return Level.valueOf(value.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "--log-level '"
              + value
              + "' must be error, warn, info, debug or trace (env CONVOY_LOG_LEVEL)");
    }
  }

  /** Writes an {@code info} line from {@code logger} whatever the level (a daemon's address). */
  public static void announce(String logger, String message) {
    LogLine line =
        new LogLine(
            java.time.Instant.now(),
            Level.INFO,
            logger,
            message,
            org.slf4j.MDC.getCopyOfContextMap(),
            null);
    write(json() ? line.json() : line.text());
  }

  /** Writes an {@code error} line (a command's one-line error in a JSON log). */
  public static void error(String logger, String message) {
    write(new LogLine(java.time.Instant.now(), Level.ERROR, logger, message, null, null).json());
  }

  static boolean enabled(String logger, Level at) {
    Level threshold = logger.startsWith("dev.convoy.") ? level : OTHERS;
    return at.toInt() >= threshold.toInt();
  }

  /** Writes one line whole, so lines from several threads never interleave. */
  static void write(String line) {
    PrintStream o = out;
    synchronized (o) {
      o.println(line);
      o.flush();
    }
  }
}
