package dev.convoy.lint;

import dev.convoy.lint.SqlToken.Kind;
import java.util.List;
import java.util.Optional;

/** Reads the shape of the statements the rules look at: what they create or alter, and where. */
final class Statements {
  private Statements() {}

  /** {@code CREATE INDEX}: its name (null when PostgreSQL picks one), table and columns. */
  record CreatedIndex(
      String name, String table, boolean concurrently, boolean unique, List<String> columns) {}

  /** {@code ALTER TABLE}: the table and the comma-separated actions. */
  record AlteredTable(String table, List<Tokens> actions) {}

  /** {@code CREATE TABLE name (...)}: the table and its column and constraint definitions. */
  record CreatedTable(String table, Tokens name, List<Tokens> elements) {}

  static Optional<String> createdTable(Tokens t) {
    return tableStart(t).map(i -> t.name(i).name());
  }

  /** The index of the table name in a CREATE TABLE, if this is one. */
  private static Optional<Integer> tableStart(Tokens t) {
    if (!t.is(0, "CREATE")) {
      return Optional.empty();
    }
    int i = 1;
    while (t.get(i) != null
        && t.get(i).kind() == Kind.WORD
        && List.of("GLOBAL", "LOCAL", "TEMP", "TEMPORARY", "UNLOGGED", "OR", "REPLACE")
            .contains(t.get(i).value())) {
      i++;
    }
    if (!t.is(i, "TABLE")) {
      return Optional.empty();
    }
    i++;
    if (t.is(i, "IF", "NOT", "EXISTS")) {
      i += 3;
    }
    return t.name(i) == null ? Optional.empty() : Optional.of(i);
  }

  static Optional<CreatedTable> createTable(Tokens t) {
    Optional<Integer> at = tableStart(t);
    if (at.isEmpty()) {
      return Optional.empty();
    }
    Tokens.Name name = t.name(at.get());
    SqlToken open = t.get(name.next());
    if (open == null || open.kind() != Kind.LPAREN) {
      return Optional.empty();
    }
    List<Tokens> elements = t.range(name.next() + 1, t.closing(name.next())).splitCommas();
    return Optional.of(new CreatedTable(name.name(), t.range(at.get(), name.next()), elements));
  }

  static Optional<CreatedIndex> createdIndex(Tokens t) {
    int i = 1;
    boolean unique = t.is(i, "UNIQUE");
    if (!t.is(0, "CREATE") || !t.is(unique ? 2 : 1, "INDEX")) {
      return Optional.empty();
    }
    i = unique ? 3 : 2;
    boolean concurrently = t.is(i, "CONCURRENTLY");
    if (concurrently) {
      i++;
    }
    if (t.is(i, "IF", "NOT", "EXISTS")) {
      i += 3;
    }
    String name = null;
    if (!t.is(i, "ON")) {
      Tokens.Name n = t.name(i);
      if (n == null) {
        return Optional.empty();
      }
      name = n.name();
      i = n.next();
    }
    if (!t.is(i, "ON")) {
      return Optional.empty();
    }
    i++;
    if (t.is(i, "ONLY")) {
      i++;
    }
    Tokens.Name table = t.name(i);
    if (table == null) {
      return Optional.empty();
    }
    i = table.next();
    if (t.is(i, "USING")) {
      i += 2;
    }
    return Optional.of(new CreatedIndex(name, table.name(), concurrently, unique, t.columnList(i)));
  }

  static Optional<AlteredTable> alterTable(Tokens t) {
    if (!t.is(0, "ALTER", "TABLE")) {
      return Optional.empty();
    }
    int i = 2;
    if (t.is(i, "IF", "EXISTS")) {
      i += 2;
    }
    if (t.is(i, "ONLY")) {
      i++;
    }
    Tokens.Name name = t.name(i);
    if (name == null) {
      return Optional.empty();
    }
    i = name.next();
    if (t.get(i) != null && t.get(i).value().equals("*")) {
      i++;
    }
    return Optional.of(new AlteredTable(name.name(), t.from(i).splitCommas()));
  }
}
