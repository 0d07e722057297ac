package dev.convoy.agent.versions;

import dev.convoy.ops.Sql;
import java.util.ArrayList;
import java.util.List;

/**
 * A search_path setting read from the server, taken apart into its schema names and put together
 * again with every name quoted: the value is whatever a database owner set, so it is never pasted
 * into SQL as it came.
 */
final class SearchPath {
  private SearchPath() {}

  /** The names of {@code setting} ({@code a, "B c", "$user"}), unquoted. */
  static List<String> names(String setting) {
    List<String> out = new ArrayList<>();
    if (setting == null) {
      return out;
    }
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    boolean wasQuoted = false;
    for (int i = 0; i < setting.length(); i++) {
      char c = setting.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < setting.length() && setting.charAt(i + 1) == '"') {
          cur.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          cur.append(c);
        }
      } else if (c == '"') {
        quoted = true;
        wasQuoted = true;
      } else if (c == ',') {
        add(out, cur, wasQuoted);
        cur.setLength(0);
        wasQuoted = false;
      } else if (!Character.isWhitespace(c)) {
        cur.append(c);
      }
    }
    add(out, cur, wasQuoted);
    return out;
  }

  private static void add(List<String> out, StringBuilder cur, boolean wasQuoted) {
    if (cur.length() > 0) {
      out.add(wasQuoted ? cur.toString() : cur.toString().toLowerCase(java.util.Locale.ROOT));
    }
  }

  /** {@code first} then {@code rest}'s names, each quoted; the default path when rest is empty. */
  static String with(String first, String rest) {
    List<String> names = new ArrayList<>(List.of(first));
    List<String> tail = names(rest);
    names.addAll(tail.isEmpty() ? List.of("$user", "public") : tail);
    return String.join(", ", names.stream().map(Sql::ident).toList());
  }
}
