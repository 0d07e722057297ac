package dev.convoy.config;

import dev.convoy.error.ConvoyException;
import dev.convoy.error.ErrorCode;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as people write them: 500ms, 2s, 1.5s, 5m, 1h, 7d, or ISO-8601 (PT2S). */
public final class Durations {
  private static final Pattern SIMPLE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h|d)");

  private Durations() {}

  public static Duration parse(String what, String text) {
    String t = text.strip().toLowerCase(java.util.Locale.ROOT);
    if (t.equals("0")) {
      return Duration.ZERO;
    }
    Matcher m = SIMPLE.matcher(t);
    if (m.matches()) {
      double n = Double.parseDouble(m.group(1));
      double ms =
          switch (m.group(2)) {
            case "ms" -> n;
            case "s" -> n * 1000;
            case "m" -> n * 60_000;
            case "h" -> n * 3_600_000;
            default -> n * 86_400_000;
          };
      return Duration.ofMillis(Math.round(ms));
    }
    try {
      return Duration.parse(text.strip().toUpperCase(java.util.Locale.ROOT));
    } catch (DateTimeParseException e) {
      throw new ConvoyException(
          ErrorCode.BAD_INPUT,
          what + " '" + text + "' is not a duration; write it like 500ms, 2s, 5m, 1h or 7d");
    }
  }

  /** A duration for people: 850 ms, 2.4 s, 3 min 5 s. */
  public static String human(Duration d) {
    long ms = d.toMillis();
    if (ms < 1000) {
      return ms + " ms";
    }
    if (ms < 60_000) {
      return String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0);
    }
    return (ms / 60_000) + " min " + (ms % 60_000) / 1000 + " s";
  }
}
