package dev.convoy.lint;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Raw SQL reduced to what the rules look at: statements, upper-cased, with comments removed and
 * string literals and dollar-quoted bodies blanked (so a word inside a string never matches).
 */
final class SqlText {
  /** A statement and the line (1-based, within the SQL) where it starts. */
  record Stmt(String text, String original, int line) {}

  private SqlText() {}

  static List<Stmt> statements(String sql) {
    List<Stmt> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    int line = 1;
    int startLine = 1;
    int i = 0;
    int n = sql.length();
    while (i < n) {
      char c = sql.charAt(i);
      if (c == '\n') {
        line++;
      }
      if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
        while (i < n && sql.charAt(i) != '\n') {
          i++;
        }
        continue;
      }
      if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
        int end = sql.indexOf("*/", i + 2);
        end = end < 0 ? n : end + 2;
        line += count(sql, i, end);
        i = end;
        cur.append(' ');
        continue;
      }
      if (c == '\'') {
        int end = i + 1;
        while (end < n
            && !(sql.charAt(end) == '\'' && (end + 1 >= n || sql.charAt(end + 1) != '\''))) {
          end += sql.charAt(end) == '\'' ? 2 : 1;
        }
        line += count(sql, i, Math.min(n, end + 1));
        cur.append("''");
        i = end + 1;
        continue;
      }
      if (c == '$') {
        int tagEnd = sql.indexOf('$', i + 1);
        if (tagEnd > 0 && sql.substring(i + 1, tagEnd).matches("[A-Za-z0-9_]*")) {
          String tag = sql.substring(i, tagEnd + 1);
          int end = sql.indexOf(tag, tagEnd + 1);
          end = end < 0 ? n : end + tag.length();
          line += count(sql, i, end);
          cur.append("$$");
          i = end;
          continue;
        }
      }
      if (c == ';') {
        add(out, cur, startLine);
        cur = new StringBuilder();
        i++;
        continue;
      }
      if (cur.toString().isBlank() && !Character.isWhitespace(c)) {
        startLine = line;
      }
      cur.append(c);
      i++;
    }
    add(out, cur, startLine);
    return out;
  }

  private static void add(List<Stmt> out, StringBuilder cur, int line) {
    String original = cur.toString().replaceAll("\\s+", " ").strip();
    if (!original.isEmpty()) {
      out.add(new Stmt(original.toUpperCase(Locale.ROOT), original, line));
    }
  }

  private static int count(String s, int from, int to) {
    int k = 0;
    for (int i = from; i < to && i < s.length(); i++) {
      if (s.charAt(i) == '\n') {
        k++;
      }
    }
    return k;
  }
}
