package dev.convoy.cli.log;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.event.Level;

/**
 * One log event, as a line of text ({@code 12:03:04.567 [WARN] Decisions - message}, as before) or
 * a JSON object: {@code time} (ISO-8601 UTC), {@code level}, {@code logger}, {@code message}, the
 * MDC's keys ({@code rollout}, {@code env}, {@code step}, {@code epoch} where known; step and epoch
 * as numbers) and {@code exception}, the stack trace as one string.
 */
record LogLine(
    Instant time,
    Level level,
    String logger,
    String message,
    Map<String, String> context,
    Throwable thrown) {
  private static final DateTimeFormatter CLOCK =
      DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());
  private static final Set<String> NUMBERS = Set.of("step", "epoch");

  String text() {
    StringBuilder sb =
        new StringBuilder(CLOCK.format(time))
            .append(" [")
            .append(level)
            .append("] ")
            .append(logger.substring(logger.lastIndexOf('.') + 1))
            .append(" - ")
            .append(message);
    if (thrown != null) {
      sb.append(System.lineSeparator()).append(trace(thrown).stripTrailing());
    }
    return sb.toString();
  }

  String json() {
    StringBuilder sb = new StringBuilder(256).append('{');
    field(sb, "time", time.toString()).append(',');
    field(sb, "level", level.toString().toLowerCase(java.util.Locale.ROOT)).append(',');
    field(sb, "logger", logger).append(',');
    field(sb, "message", message);
    if (context != null) {
      for (Map.Entry<String, String> e : context.entrySet()) {
        if (e.getValue() == null
            || List.of("time", "level", "logger", "message", "exception").contains(e.getKey())) {
          continue;
        }
        sb.append(',');
        if (NUMBERS.contains(e.getKey()) && e.getValue().matches("-?\\d{1,18}")) {
          string(sb, e.getKey()).append(':').append(e.getValue());
        } else {
          field(sb, e.getKey(), e.getValue());
        }
      }
    }
    if (thrown != null) {
      sb.append(',');
      field(sb, "exception", trace(thrown).stripTrailing());
    }
    return sb.append('}').toString();
  }

  private static StringBuilder field(StringBuilder sb, String name, String value) {
    string(sb, name).append(':');
    return value == null ? sb.append("null") : string(sb, value);
  }

  /** A JSON string: quotes, backslashes and control characters escaped. */
  static StringBuilder string(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x2028 || c == 0x2029) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append('"');
  }

  private static String trace(Throwable t) {
    StringWriter w = new StringWriter();
    t.printStackTrace(new PrintWriter(w));
    return w.toString();
  }
}
