package dev.convoy.lint;

import dev.convoy.lint.SqlToken.Kind;
import java.util.ArrayList;
import java.util.List;

/** A run of tokens (a statement, a clause, a column definition) and the questions rules ask it. */
record Tokens(List<SqlToken> list) {
  int size() {
    return list.size();
  }

  boolean isEmpty() {
    return list.isEmpty();
  }

  SqlToken get(int i) {
    return i >= 0 && i < list.size() ? list.get(i) : null;
  }

  /** True when the tokens from {@code i} are the keywords {@code words}. */
  boolean is(int i, String... words) {
    for (int k = 0; k < words.length; k++) {
      SqlToken t = get(i + k);
      if (t == null || !t.is(words[k])) {
        return false;
      }
    }
    return true;
  }

  /** Where the keywords {@code words} first occur from {@code from}, or -1. */
  int indexOf(int from, String... words) {
    for (int i = Math.max(0, from); i < list.size(); i++) {
      if (is(i, words)) {
        return i;
      }
    }
    return -1;
  }

  boolean has(String... words) {
    return indexOf(0, words) >= 0;
  }

  /** True when any of {@code words} is a keyword here. */
  boolean hasAny(String... words) {
    for (String w : words) {
      if (has(w)) {
        return true;
      }
    }
    return false;
  }

  Tokens from(int i) {
    return new Tokens(list.subList(Math.min(Math.max(0, i), list.size()), list.size()));
  }

  Tokens range(int from, int to) {
    return new Tokens(list.subList(Math.max(0, from), Math.min(to, list.size())));
  }

  /** The index of the parenthesis closing the one at {@code open}, or the last index. */
  int closing(int open) {
    int depth = 0;
    for (int i = open; i < list.size(); i++) {
      Kind k = list.get(i).kind();
      if (k == Kind.LPAREN) {
        depth++;
      } else if (k == Kind.RPAREN && --depth == 0) {
        return i;
      }
    }
    return list.size() - 1;
  }

  /** The parts between commas outside parentheses. */
  List<Tokens> splitCommas() {
    List<Tokens> out = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i < list.size(); i++) {
      Kind k = list.get(i).kind();
      if (k == Kind.LPAREN) {
        depth++;
      } else if (k == Kind.RPAREN) {
        depth--;
      } else if (k == Kind.COMMA && depth == 0) {
        out.add(range(start, i));
        start = i + 1;
      }
    }
    if (start < list.size()) {
      out.add(range(start, list.size()));
    }
    return out;
  }

  /**
   * The name at {@code i}, possibly schema-qualified: the index after it and its last part (as
   * PostgreSQL stores it), or null when no name is there.
   */
  Name name(int i) {
    SqlToken t = get(i);
    if (t == null || !t.isName()) {
      return null;
    }
    String last = t.name();
    int j = i + 1;
    while (get(j) != null
        && get(j).kind() == Kind.DOT
        && get(j + 1) != null
        && get(j + 1).isName()) {
      last = get(j + 1).name();
      j += 2;
    }
    return new Name(last, j);
  }

  /** A name read from the tokens and the index just after it. */
  record Name(String name, int next) {}

  /**
   * The simple column names of the parenthesised list at {@code open}; an expression stands as null
   * (it covers no foreign key).
   */
  List<String> columnList(int open) {
    List<String> cols = new ArrayList<>();
    if (get(open) == null || get(open).kind() != Kind.LPAREN) {
      return cols;
    }
    for (Tokens part : range(open + 1, closing(open)).splitCommas()) {
      SqlToken first = part.get(0);
      boolean simple =
          first != null
              && first.isName()
              && (part.size() == 1
                  || part.get(1).kind() == Kind.WORD
                      && List.of("ASC", "DESC", "NULLS", "COLLATE").contains(part.get(1).value())
                  || part.get(1).kind() == Kind.WORD && part.size() == 2);
      cols.add(simple ? first.name() : null);
    }
    return cols;
  }
}
