package dev.convoy.phases;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The identifiers an author's SQL names: unquoted words folded to lower case as PostgreSQL folds
 * them, quoted ones as written. String literals (standard, {@code E''} with backslash escapes) and
 * comments are skipped; dollar-quoted bodies are read, because a DO block or a function body names
 * tables and columns too. Keywords come along with the names: a reader that matches names against
 * this set errs on the side of seeing a dependency, which only costs an extra split of the chain.
 */
final class SqlNames {
  private SqlNames() {}

  static Set<String> of(String sql) {
    Set<String> out = new LinkedHashSet<>();
    if (sql == null) {
      return out;
    }
    int n = sql.length();
    int i = 0;
    while (i < n) {
      char c = sql.charAt(i);
      if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
        while (i < n && sql.charAt(i) != '\n') {
          i++;
        }
      } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
        int end = sql.indexOf("*/", i + 2);
        i = end < 0 ? n : end + 2;
      } else if (c == '\'') {
        boolean escapes = i > 0 && (sql.charAt(i - 1) == 'E' || sql.charAt(i - 1) == 'e');
        i = endOfString(sql, i + 1, escapes);
      } else if (c == '"') {
        StringBuilder name = new StringBuilder();
        int j = i + 1;
        while (j < n) {
          if (sql.charAt(j) == '"') {
            if (j + 1 < n && sql.charAt(j + 1) == '"') {
              name.append('"');
              j += 2;
              continue;
            }
            break;
          }
          name.append(sql.charAt(j++));
        }
        out.add(name.toString());
        i = j + 1;
      } else if (Character.isLetter(c) || c == '_') {
        int j = i;
        while (j < n
            && (Character.isLetterOrDigit(sql.charAt(j)) || "_$".indexOf(sql.charAt(j)) >= 0)) {
          j++;
        }
        String word = sql.substring(i, j);
        // E'...' starts an escaped string: the E is not a name.
        if (!(j < n && sql.charAt(j) == '\'' && word.equalsIgnoreCase("e"))) {
          out.add(word.toLowerCase(Locale.ROOT));
        }
        i = j;
      } else {
        i++;
      }
    }
    return out;
  }

  private static int endOfString(String sql, int from, boolean escapes) {
    int n = sql.length();
    int j = from;
    while (j < n) {
      char c = sql.charAt(j);
      if (escapes && c == '\\') {
        j += 2;
      } else if (c == '\'') {
        if (j + 1 < n && sql.charAt(j + 1) == '\'') {
          j += 2;
        } else {
          return j + 1;
        }
      } else {
        j++;
      }
    }
    return n;
  }

  /** True when {@code names} holds {@code name} as PostgreSQL could read it, either way quoted. */
  static boolean mentions(Set<String> names, String name) {
    return names.contains(name) || names.contains(name.toLowerCase(Locale.ROOT));
  }
}
