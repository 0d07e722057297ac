package dev.convoy.lint;

import dev.convoy.lint.SqlToken.Kind;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code CHECK (col IS NOT NULL)} constraints a revision has validated so far, statement by
 * statement: added without {@code NOT VALID}, or added {@code NOT VALID} and then {@code VALIDATE
 * CONSTRAINT}ed. After one, {@code SET NOT NULL} on that column takes the check as proof and skips
 * its scan (PostgreSQL 12+), which is the safe recipe written by hand.
 */
final class NotNullProofs {
  private final Set<List<String>> proven = new HashSet<>();
  private final Map<List<String>, List<String>> notValid = new HashMap<>();

  /** Takes note of what {@code t}, the next statement, adds or validates. */
  void read(Tokens t) {
    Statements.alterTable(t)
        .ifPresent(
            a -> {
              for (Tokens c : a.actions()) {
                read(a.table(), c);
              }
            });
  }

  private void read(String table, Tokens c) {
    if (c.is(0, "VALIDATE", "CONSTRAINT") && c.get(2) != null) {
      List<String> col = notValid.remove(List.of(table, c.get(2).name()));
      if (col != null) {
        proven.add(col);
      }
      return;
    }
    boolean named = c.is(0, "ADD", "CONSTRAINT") && c.get(2) != null;
    int k = named ? 3 : 1;
    if (!c.is(0, "ADD")
        || !c.is(k, "CHECK")
        || c.get(k + 1) == null
        || c.get(k + 1).kind() != Kind.LPAREN
        || c.get(k + 2) == null
        || !c.get(k + 2).isName()
        || !c.is(k + 3, "IS", "NOT", "NULL")
        || c.get(k + 6) == null
        || c.get(k + 6).kind() != Kind.RPAREN) {
      return;
    }
    List<String> col = List.of(table, c.get(k + 2).name());
    if (!c.has("NOT", "VALID")) {
      proven.add(col);
    } else if (named) {
      notValid.put(List.of(table, c.get(2).name()), col);
    }
  }

  boolean proves(String table, String column) {
    return proven.contains(List.of(table, column));
  }
}
