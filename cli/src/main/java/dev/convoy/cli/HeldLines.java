package dev.convoy.cli;

import dev.convoy.agent.engine.HeldCopies;
import dev.convoy.agent.state.HeldStore;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** How held copies read, in {@code check} and {@code purge}: one line each, or JSON. */
final class HeldLines {
  private static final DateTimeFormatter WHEN =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

  private HeldLines() {}

  static String when(Instant t) {
    return WHEN.format(t);
  }

  /** {@code column author.nick (revision 3f2a..., held since ..., expires ...): 1.2 MB}. */
  static String line(HeldCopies.Copy c) {
    HeldStore.Held h = c.held();
    return (h.isTable() ? "table " : h.isTypeChange() ? "old type of column " : "column ")
        + h.what()
        + " (revision "
        + h.revision()
        + ", held since "
        + when(h.heldAt())
        + (c.expired() ? ", expired " : ", expires ")
        + when(h.expiresAt())
        + "): "
        + bytes(c.size().bytes())
        + (c.size().estimated() ? " (estimated from pg_stats)" : "");
  }

  static String bytes(long b) {
    if (b < 1024) {
      return b + " bytes";
    }
    String[] units = {"kB", "MB", "GB", "TB"};
    double v = b;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }

  static long total(List<HeldCopies.Copy> copies) {
    return copies.stream().mapToLong(c -> c.size().bytes()).sum();
  }

  static List<Map<String, Object>> json(List<HeldCopies.Copy> copies) {
    return copies.stream()
        .map(
            c -> {
              HeldStore.Held h = c.held();
              Map<String, Object> m = new LinkedHashMap<>();
              m.put("kind", h.kind());
              m.put("table", h.table());
              m.put("column", h.column());
              m.put("held_as", h.heldName());
              m.put("revision", h.revision());
              m.put("held_at", h.heldAt().toString());
              m.put("expires_at", h.expiresAt().toString());
              m.put("expired", c.expired());
              m.put("bytes", c.size().bytes());
              m.put("bytes_estimated", c.size().estimated());
              return m;
            })
        .toList();
  }
}
