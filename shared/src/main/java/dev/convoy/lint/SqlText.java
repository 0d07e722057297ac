package dev.convoy.lint;

import java.util.List;
import java.util.function.IntPredicate;

/** Questions about SQL text that the migration readers ask, answered by lint's tokenizer. */
public final class SqlText {
  private SqlText() {}

  /**
   * Whether an offset of {@code sql} lies inside a string, quoted name, dollar-quoted body or block
   * comment (past its first character): there a {@code --} line is text, not a comment.
   */
  public static IntPredicate insideText(String sql) {
    List<int[]> spans = SqlLexer.opaque(sql);
    return offset -> spans.stream().anyMatch(s -> s[0] < offset && offset < s[1]);
  }
}
