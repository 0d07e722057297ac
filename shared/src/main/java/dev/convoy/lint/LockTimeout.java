package dev.convoy.lint;

import dev.convoy.lint.SqlToken.Kind;
import java.util.List;

/**
 * Whether a statement takes away the lock_timeout Convoy runs every statement with: {@code RESET
 * lock_timeout}, {@code RESET ALL}, a value of 0 or DEFAULT, a session-wide {@code SET} (it
 * outlives the operation on Convoy's connection), or {@code set_config('lock_timeout', ...)} other
 * than transaction-local and non-zero. {@code SET LOCAL lock_timeout = '5s'} is the author's choice
 * for one transaction and passes.
 */
final class LockTimeout {
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
      return !local || isZero(t.get(i + 2));
    }
    for (int i = 0; i < t.size(); i++) {
      SqlToken arg = t.get(i + 2);
      if (t.is(i, "SET_CONFIG")
          && arg != null
          && arg.kind() == Kind.STRING
          && arg.value().equalsIgnoreCase("lock_timeout")) {
        return isZero(t.get(i + 4)) || !t.is(i + 6, "TRUE");
      }
    }
    return false;
  }

  private static boolean isZero(SqlToken v) {
    if (v == null || v.is("DEFAULT")) {
      return true;
    }
    String s = v.value().strip().toLowerCase(java.util.Locale.ROOT);
    return List.of("0", "0ms", "0s", "0min").contains(s.replace(" ", ""));
  }
}
