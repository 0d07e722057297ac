package dev.convoy.schema;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Whether a column default is volatile, which decides how a column is added to a table holding
 * rows: PostgreSQL stores a non-volatile default once (instant), but computes a volatile one for
 * every row under the table's lock. The catalog does not say, so the built-in volatile functions a
 * default calls are named here; now() and current_timestamp are stable, not volatile.
 */
final class Volatility {
  private static final Pattern VOLATILE =
      Pattern.compile(
          "\\b(random|gen_random_uuid|uuid_generate_v[14]|uuid_generate_v1mc|clock_timestamp"
              + "|timeofday|nextval|setseed|txid_current|pg_current_xact_id|random_normal)\\s*\\(");

  private Volatility() {}

  static boolean isVolatile(String defaultExpr) {
    return VOLATILE.matcher(defaultExpr.toLowerCase(Locale.ROOT)).find();
  }
}
