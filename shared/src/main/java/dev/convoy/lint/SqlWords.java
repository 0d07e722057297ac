package dev.convoy.lint;

import java.util.ArrayList;
import java.util.List;

/**
 * The lint's tokenizer for code outside this package that must read SQL as PostgreSQL does (strings
 * of every kind, dollar quotes, quoted names and nested comments skipped): the words, statement
 * ends, dollar-quoted bodies and psql backslash commands of a text, with their offsets.
 */
public final class SqlWords {
  /** What a token is, for a reader that only needs words and statement boundaries. */
  public enum Kind {
    /** A keyword or unquoted name, upper-cased. */
    WORD,
    SEMICOLON,
    /** A whole {@code $tag$...$tag$} body, as written. */
    DOLLAR_BODY,
    /** A psql meta-command ({@code \copy}), as written. */
    PSQL_COMMAND
  }

  /** One token: its text and its offsets in the SQL. */
  public record Word(Kind kind, String text, int start, int end) {}

  private SqlWords() {}

  /** The words, {@code ;}, dollar-quoted bodies and psql commands of {@code sql}, in order. */
  public static List<Word> of(String sql) {
    List<Word> out = new ArrayList<>();
    List<SqlToken> tokens = SqlLexer.tokens(sql);
    for (int i = 0; i < tokens.size(); i++) {
      SqlToken t = tokens.get(i);
      switch (t.kind()) {
        case WORD -> out.add(new Word(Kind.WORD, t.value(), t.start(), t.end()));
        case SEMICOLON -> out.add(new Word(Kind.SEMICOLON, ";", t.start(), t.end()));
        case DOLLAR_STRING ->
            out.add(
                new Word(Kind.DOLLAR_BODY, sql.substring(t.start(), t.end()), t.start(), t.end()));
        case OTHER -> {
          SqlToken next = i + 1 < tokens.size() ? tokens.get(i + 1) : null;
          if (sql.charAt(t.start()) == '\\'
              && next != null
              && next.kind() == SqlToken.Kind.WORD
              && next.start() == t.end()) {
            out.add(
                new Word(
                    Kind.PSQL_COMMAND,
                    sql.substring(t.start(), next.end()),
                    t.start(),
                    next.end()));
            i++;
          }
        }
        default -> {}
      }
    }
    return out;
  }
}
