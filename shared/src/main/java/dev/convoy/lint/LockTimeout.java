package dev.convoy.lint;

import dev.convoy.lint.SqlToken.Kind;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether a statement takes away the lock_timeout Convoy runs every statement with: {@code RESET
 * lock_timeout}, {@code RESET ALL}, a value of 0 or DEFAULT, a session-wide {@code SET} (it
 * outlives the operation on Convoy's connection), {@code set_config('lock_timeout', ...)} other
 * than transaction-local and short, a role's or database's default set to 0, DEFAULT or a long
 * value ({@code ALTER ROLE app SET lock_timeout = 0} takes the guard away from every later
 * session), or a value over {@link #LONGEST_MS}. {@code SET LOCAL lock_timeout = '5s'} is the
 * author's choice for one transaction and passes; {@code '1h'} is not a lock timeout in any sense
 * that protects traffic: queries queue behind the waiting DDL for as long as it waits, and a
 * request waiting 10 s (five times Convoy's 2 s default) has already failed for most clients.
 */
final class LockTimeout {
  /** The longest lock_timeout that still keeps traffic flowing, in milliseconds. */
  static final long LONGEST_MS = 10_000;

  private static final Pattern DURATION =
      Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(us|ms|s|min|h|d)?");
  private static final Map<String, Double> UNIT_MS =
      Map.of(
          "us",
          0.001,
          "ms",
          1.0,
          "s",
          1000.0,
          "min",
          60_000.0,
          "h",
          3_600_000.0,
          "d",
          86_400_000.0);

  private LockTimeout() {}

  static boolean overridden(Tokens t) {
    if (t.is(0, "RESET", "LOCK_TIMEOUT") || t.is(0, "RESET", "ALL")) {
      return true;
    }
    if (t.is(0, "SET")) {
      boolean local = t.is(1, "LOCAL");
      int i = local || t.is(1, "SESSION") ? 2 : 1;
      if (!t.is(i, "LOCK_TIMEOUT")) {
        return false;
      }
      return !local || unsafe(t.get(i + 2));
    }
    if (t.is(0, "ALTER") && (t.is(1, "ROLE") || t.is(1, "USER") || t.is(1, "DATABASE"))) {
      int set = t.indexOf(2, "SET", "LOCK_TIMEOUT");
      return set > 0 && unsafe(t.get(set + 3))
          || t.indexOf(2, "RESET", "LOCK_TIMEOUT") > 0
          || t.indexOf(2, "RESET", "ALL") > 0;
    }
    for (int i = 0; i < t.size(); i++) {
      SqlToken arg = t.get(i + 2);
      if (t.is(i, "SET_CONFIG")
          && arg != null
          && arg.kind() == Kind.STRING
          && arg.value().equalsIgnoreCase("lock_timeout")) {
        return unsafe(t.get(i + 4)) || !t.is(i + 6, "TRUE");
      }
    }
    return false;
  }

  /** 0, DEFAULT or missing (no timeout at all), or longer than {@link #LONGEST_MS}. */
  private static boolean unsafe(SqlToken v) {
    if (v == null || v.is("DEFAULT")) {
      return true;
    }
    Matcher m = DURATION.matcher(v.value().strip().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      return false;
    }
    double ms =
        Double.parseDouble(m.group(1)) * UNIT_MS.get(m.group(2) == null ? "ms" : m.group(2));
    return ms == 0 || ms > LONGEST_MS;
  }
}
