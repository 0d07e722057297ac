package dev.convoy.lint;

import dev.convoy.lint.SqlToken.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Splits SQL into tokens the way PostgreSQL's scanner does, so no rule ever reads inside a string,
 * a dollar-quoted body, a quoted identifier or a comment: single-quoted strings with {@code ''},
 * {@code E''} strings with backslash escapes, {@code U&''}, {@code B''}, {@code X''} and {@code
 * N''}, {@code $$}/{@code $tag$} bodies, {@code "..."} identifiers with {@code ""}, {@code --} and
 * nested {@code /* *}{@code /} comments. Anything left unterminated runs to the end of the text, as
 * it would in the server (which then refuses it).
 */
final class SqlLexer {
  private final String sql;
  private final int n;
  private final List<SqlToken> out = new ArrayList<>();
  private final List<int[]> comments = new ArrayList<>();
  private int line = 1;
  private int i;

  private SqlLexer(String sql) {
    this.sql = sql;
    this.n = sql.length();
  }

  /** The tokens of {@code sql}, comments and whitespace left out. */
  static List<SqlToken> tokens(String sql) {
    SqlLexer l = new SqlLexer(sql == null ? "" : sql);
    l.run();
    return l.out;
  }

  private void run() {
    while (i < n) {
      char c = sql.charAt(i);
      if (c == '\n') {
        line++;
        i++;
      } else if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '-' && peek(1) == '-') {
        while (i < n && sql.charAt(i) != '\n') {
          i++;
        }
      } else if (c == '/' && peek(1) == '*') {
        blockComment();
      } else if (c == '\'') {
        quoted(i, i, false, Kind.STRING);
      } else if (c == '"') {
        quoted(i, i, false, Kind.QUOTED_IDENT);
      } else if (c == '$' && Character.isDigit(peek(1))) {
        int s = i++;
        while (i < n && Character.isDigit(sql.charAt(i))) {
          i++;
        }
        add(Kind.PARAM, sql.substring(s, i), s, line);
      } else if (c == '$' && dollarTag() != null) {
        dollar(dollarTag());
      } else if (Character.isDigit(c) || (c == '.' && Character.isDigit(peek(1)))) {
        number();
      } else if (isIdentStart(c)) {
        word();
      } else {
        single(c);
      }
    }
  }

  /**
   * Where {@code sql} has text that is not SQL to read: each string, quoted name, dollar-quoted
   * body and block comment, as {start, end} offsets.
   */
  static List<int[]> opaque(String sql) {
    SqlLexer l = new SqlLexer(sql == null ? "" : sql);
    l.run();
    List<int[]> spans = new ArrayList<>(l.comments);
    for (SqlToken t : l.out) {
      if (t.kind() == Kind.STRING
          || t.kind() == Kind.QUOTED_IDENT
          || t.kind() == Kind.DOLLAR_STRING) {
        spans.add(new int[] {t.start(), t.end()});
      }
    }
    return spans;
  }

  private void blockComment() {
    int start = i;
    int depth = 0;
    do {
      if (sql.startsWith("/*", i)) {
        depth++;
        i += 2;
      } else if (sql.startsWith("*/", i)) {
        depth--;
        i += 2;
      } else {
        if (sql.charAt(i) == '\n') {
          line++;
        }
        i++;
      }
    } while (depth > 0 && i < n);
    comments.add(new int[] {start, i});
  }

  /**
   * A quoted token whose opening quote is at {@code quote} and whose prefix starts at {@code
   * start}; {@code backslash} makes {@code \} escape the next character (E'' strings).
   */
  private void quoted(int start, int quote, boolean backslash, Kind kind) {
    char q = sql.charAt(quote);
    int startLine = line;
    StringBuilder v = new StringBuilder();
    i = quote + 1;
    while (i < n) {
      char c = sql.charAt(i);
      if (c == '\n') {
        line++;
      }
      if (backslash && c == '\\' && i + 1 < n) {
        v.append(sql.charAt(i + 1));
        if (sql.charAt(i + 1) == '\n') {
          line++;
        }
        i += 2;
      } else if (c == q && peek(1) == q) {
        v.append(q);
        i += 2;
      } else if (c == q) {
        i++;
        break;
      } else {
        v.append(c);
        i++;
      }
    }
    add(kind, v.toString(), start, startLine);
  }

  /** The tag ({@code $$} or {@code $name$}) starting at {@code i}, or null. */
  private String dollarTag() {
    int j = i + 1;
    if (j < n && sql.charAt(j) != '$' && !isIdentStart(sql.charAt(j))) {
      return null;
    }
    while (j < n && sql.charAt(j) != '$') {
      char c = sql.charAt(j);
      if (!(isIdentStart(c) || Character.isDigit(c))) {
        return null;
      }
      j++;
    }
    return j < n ? sql.substring(i, j + 1) : null;
  }

  private void dollar(String tag) {
    int start = i;
    int startLine = line;
    int end = sql.indexOf(tag, i + tag.length());
    int stop = end < 0 ? n : end + tag.length();
    for (int k = i; k < stop; k++) {
      if (sql.charAt(k) == '\n') {
        line++;
      }
    }
    String body = sql.substring(i + tag.length(), end < 0 ? n : end);
    i = stop;
    add(Kind.DOLLAR_STRING, body, start, startLine);
  }

  private void number() {
    int s = i;
    while (i < n
        && (Character.isLetterOrDigit(sql.charAt(i))
            || sql.charAt(i) == '.'
            || sql.charAt(i) == '_'
            || ((sql.charAt(i) == '+' || sql.charAt(i) == '-')
                && (sql.charAt(i - 1) == 'e' || sql.charAt(i - 1) == 'E')))) {
      i++;
    }
    add(Kind.NUMBER, sql.substring(s, i), s, line);
  }

  private void word() {
    int s = i;
    while (i < n && isIdentPart(sql.charAt(i))) {
      i++;
    }
    String w = sql.substring(s, i).toUpperCase(Locale.ROOT);
    if (i < n && sql.charAt(i) == '\'' && w.length() == 1 && "EBXN".contains(w)) {
      quoted(s, i, w.equals("E"), Kind.STRING);
    } else if (w.equals("U") && sql.startsWith("&'", i)) {
      quoted(s, i + 1, false, Kind.STRING);
    } else if (w.equals("U") && sql.startsWith("&\"", i)) {
      quoted(s, i + 1, false, Kind.QUOTED_IDENT);
    } else {
      add(Kind.WORD, w, s, line);
    }
  }

  private void single(char c) {
    Kind k =
        switch (c) {
          case '(' -> Kind.LPAREN;
          case ')' -> Kind.RPAREN;
          case ',' -> Kind.COMMA;
          case ';' -> Kind.SEMICOLON;
          case '.' -> Kind.DOT;
          default -> Kind.OTHER;
        };
    add(k, String.valueOf(c), i, line);
    i++;
  }

  private void add(Kind kind, String value, int start, int startLine) {
    out.add(new SqlToken(kind, value, start, Math.max(i, start + 1), startLine));
  }

  private char peek(int ahead) {
    return i + ahead < n ? sql.charAt(i + ahead) : '\0';
  }

  private static boolean isIdentStart(char c) {
    return Character.isLetter(c) || c == '_' || c > 127;
  }

  private static boolean isIdentPart(char c) {
    return isIdentStart(c) || Character.isDigit(c) || c == '$';
  }
}
