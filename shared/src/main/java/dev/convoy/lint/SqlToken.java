package dev.convoy.lint;

import java.util.Locale;

/**
 * One lexical token of PostgreSQL SQL. {@code value} is what the rules compare: a keyword or
 * unquoted name upper-cased, a quoted identifier or a string's content unescaped. {@code start} and
 * {@code end} are offsets in the source; {@code line} is 1-based.
 */
record SqlToken(Kind kind, String value, int start, int end, int line) {
  enum Kind {
    /** A keyword or unquoted identifier ({@code value} upper-cased). */
    WORD,
    /** {@code "..."} or {@code U&"..."}, with {@code ""} unescaped. */
    QUOTED_IDENT,
    /** Any single-quoted string: plain, {@code E''}, {@code U&''}, {@code B''}, {@code X''}. */
    STRING,
    /** A dollar-quoted body ({@code $$...$$} or {@code $tag$...$tag$}). */
    DOLLAR_STRING,
    NUMBER,
    /** {@code $1}. */
    PARAM,
    LPAREN,
    RPAREN,
    COMMA,
    SEMICOLON,
    DOT,
    /** Any other character or operator. */
    OTHER
  }

  boolean is(String word) {
    return kind == Kind.WORD && value.equals(word);
  }

  boolean isName() {
    return kind == Kind.WORD || kind == Kind.QUOTED_IDENT;
  }

  /**
   * The name as PostgreSQL stores it: an unquoted word folded to lower case, a quoted one as is.
   */
  String name() {
    return kind == Kind.WORD ? value.toLowerCase(Locale.ROOT) : value;
  }
}
