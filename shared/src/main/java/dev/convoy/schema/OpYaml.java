package dev.convoy.schema;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Writes operations as the YAML items of a migration's {@code operations:} list, two spaces in.
 * Every scalar goes through {@link #scalar}: SQL expressions carry {@code :}, {@code #}, quotes and
 * newlines, and a bare {@code NULL} or {@code on} would be read back as something else.
 */
final class OpYaml {
  private static final Pattern PLAIN =
      Pattern.compile("[A-Za-z_][A-Za-z0-9_.()]*(?: [A-Za-z0-9_.()]+)*");
  private static final Set<String> RESERVED =
      Set.of("true", "false", "yes", "no", "on", "off", "null", "y", "n");

  private final StringBuilder out = new StringBuilder();

  /** A comment line above the next operation. */
  OpYaml comment(String text) {
    for (String line : text.split("\n")) {
      out.append("  # ").append(line).append('\n');
    }
    return this;
  }

  OpYaml op(String kind) {
    out.append("  - op: ").append(kind).append('\n');
    return this;
  }

  OpYaml field(String key, String value) {
    if (value != null) {
      out.append("    ").append(key).append(": ").append(scalar(value)).append('\n');
    }
    return this;
  }

  OpYaml flag(String key, boolean value) {
    out.append("    ").append(key).append(": ").append(value).append('\n');
    return this;
  }

  /** A line written as given (with its own comment), e.g. the backfill placeholder. */
  OpYaml line(String text) {
    out.append(text).append('\n');
    return this;
  }

  OpYaml list(String key, List<String> values) {
    out.append("    ").append(key).append(": ").append(flowList(values)).append('\n');
    return this;
  }

  /** {@code key: {a: b, ...}}; values are Strings (quoted as needed) or Booleans. */
  OpYaml map(String key, Map<String, Object> values) {
    out.append("    ").append(key).append(": ").append(flowMap(values)).append('\n');
    return this;
  }

  /** {@code key:} then one flow mapping per item. */
  OpYaml maps(String key, List<Map<String, Object>> items) {
    out.append("    ").append(key).append(":\n");
    for (Map<String, Object> m : items) {
      out.append("      - ").append(flowMap(m)).append('\n');
    }
    return this;
  }

  /**
   * A {@code sql} operation. {@code transactional} false runs it alone outside a transaction (one
   * statement only); {@code contract} runs it in the contract phase, after the expand steps of
   * every operation in the revision.
   */
  OpYaml sql(String up, String down, boolean transactional, boolean contract) {
    op("sql").field("up", up).field("down", down);
    if (!transactional) {
      flag("transactional", false);
    }
    if (contract) {
      field("phase", "contract");
    }
    return this;
  }

  String text() {
    return out.toString();
  }

  static String flowList(List<String> values) {
    return "[" + String.join(", ", values.stream().map(OpYaml::scalar).toList()) + "]";
  }

  static String flowMap(Map<String, Object> values) {
    StringBuilder sb = new StringBuilder("{");
    values.forEach(
        (k, v) -> {
          if (v == null) {
            return;
          }
          if (sb.length() > 1) {
            sb.append(", ");
          }
          sb.append(k).append(": ");
          sb.append(v instanceof String s ? scalar(s) : String.valueOf(v));
        });
    return sb.append('}').toString();
  }

  /** The value plain when YAML reads it back as the same string, else double-quoted. */
  static String scalar(String value) {
    if (PLAIN.matcher(value).matches() && !RESERVED.contains(value.toLowerCase(Locale.ROOT))) {
      return value;
    }
    StringBuilder sb = new StringBuilder("\"");
    for (char ch : value.toCharArray()) {
      switch (ch) {
        case '\\' -> sb.append("\\\\");
        case '"' -> sb.append("\\\"");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (ch < 0x20
              || (ch >= 0x7f && ch <= 0x9f)
              || ch == 0x2028
              || ch == 0x2029
              || ch == 0xfeff) {
            // Control characters and what YAML 1.1 reads as a line break must be escaped.
            sb.append(String.format("\\u%04x", (int) ch));
          } else {
            sb.append(ch);
          }
        }
      }
    }
    return sb.append('"').toString();
  }
}
