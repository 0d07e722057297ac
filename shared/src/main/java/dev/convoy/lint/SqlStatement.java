package dev.convoy.lint;

import dev.convoy.lint.SqlToken.Kind;
import java.util.ArrayList;
import java.util.List;

/**
 * One statement of raw SQL as tokens, with its text as written (whitespace collapsed) and the line
 * (1-based, within the SQL) where it starts. Statements end at a {@code ;} outside every string,
 * quoted name, comment and {@code BEGIN ATOMIC ... END} function body.
 */
record SqlStatement(Tokens tokens, String original, int line) {

  /** The statements of {@code sql}, empty ones left out. */
  static List<SqlStatement> split(String sql) {
    String src = sql == null ? "" : sql;
    List<SqlStatement> out = new ArrayList<>();
    List<SqlToken> cur = new ArrayList<>();
    int atomicDepth = 0;
    for (SqlToken t : SqlLexer.tokens(src)) {
      if (t.kind() == Kind.SEMICOLON && atomicDepth == 0) {
        add(out, cur, src);
        cur = new ArrayList<>();
        continue;
      }
      if (atomicDepth > 0 && (t.is("CASE") || t.is("BEGIN"))) {
        atomicDepth++;
      } else if (atomicDepth > 0 && t.is("END")) {
        atomicDepth--;
      } else if (t.is("ATOMIC") && !cur.isEmpty() && cur.get(cur.size() - 1).is("BEGIN")) {
        atomicDepth = 1;
      }
      cur.add(t);
    }
    add(out, cur, src);
    return out;
  }

  private static void add(List<SqlStatement> out, List<SqlToken> cur, String src) {
    if (cur.isEmpty()) {
      return;
    }
    String text =
        src.substring(cur.get(0).start(), cur.get(cur.size() - 1).end())
            .replaceAll("\\s+", " ")
            .strip();
    out.add(new SqlStatement(new Tokens(List.copyOf(cur)), text, cur.get(0).line()));
  }

  /** The offset in the SQL where the statement starts. */
  int start() {
    return tokens.get(0).start();
  }

  /** The statement as written, cut to a length that reads in one line. */
  String shown() {
    return original.length() > 80 ? original.substring(0, 77) + "..." : original;
  }

  boolean startsWith(String... words) {
    return tokens.is(0, words);
  }
}
