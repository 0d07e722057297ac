package dev.convoy.lint;

import dev.convoy.lint.SqlToken.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A column's type and what follows it ({@code bigint NOT NULL DEFAULT ... REFERENCES ...}), as a
 * raw {@code CREATE TABLE} / {@code ADD COLUMN} / {@code TYPE} clause or a typed operation's {@code
 * type} and {@code default} write it: the rules about types, defaults and inline constraints.
 */
record ColumnDefinition(Tokens def) {
  private static final Set<String> VOLATILE =
      Set.of(
          "RANDOM",
          "RANDOM_NORMAL",
          "GEN_RANDOM_UUID",
          "GEN_RANDOM_BYTES",
          "UUID_GENERATE_V1",
          "UUID_GENERATE_V1MC",
          "UUID_GENERATE_V4",
          "UUIDV4",
          "UUIDV7",
          "CLOCK_TIMESTAMP",
          "TIMEOFDAY",
          "NEXTVAL",
          "SETVAL");
  private static final Set<String> SERIALS =
      Set.of("SERIAL", "SERIAL2", "SERIAL4", "SERIAL8", "BIGSERIAL", "SMALLSERIAL");
  private static final Set<String> SMALL_INTS =
      Set.of(
          "INT",
          "INTEGER",
          "INT4",
          "INT2",
          "SMALLINT",
          "SERIAL",
          "SERIAL4",
          "SERIAL2",
          "SMALLSERIAL");

  static ColumnDefinition of(String type, String defaultExpr) {
    String sql = type + (defaultExpr == null ? "" : " DEFAULT " + defaultExpr);
    return new ColumnDefinition(new Tokens(SqlLexer.tokens(sql)));
  }

  /** The type's name, upper-cased and without schema (pg_catalog.timestamp is TIMESTAMP). */
  String typeName() {
    Tokens.Name n = def.name(0);
    return n == null || def.get(0).kind() != Kind.WORD
        ? ""
        : n.name().toUpperCase(java.util.Locale.ROOT);
  }

  private int afterTypeName() {
    Tokens.Name n = def.name(0);
    return n == null ? 0 : n.next();
  }

  boolean primaryKey() {
    return def.has("PRIMARY", "KEY");
  }

  boolean hasDefault() {
    return def.has("DEFAULT");
  }

  /** Style rules on the type itself, whatever table it is on. */
  List<Rule> typeRules(boolean primaryKey) {
    List<Rule> out = new ArrayList<>();
    String type = typeName();
    int next = afterTypeName();
    if ((type.equals("CHAR") || type.equals("CHARACTER") || type.equals("BPCHAR"))
        && !def.is(next, "VARYING")) {
      out.add(Rule.CHAR_TYPE);
    }
    if (type.equals("TIMESTAMP")) {
      int i = next;
      if (def.get(i) != null && def.get(i).kind() == Kind.LPAREN) {
        i = def.closing(i) + 1;
      }
      if (!def.is(i, "WITH", "TIME", "ZONE")) {
        out.add(Rule.TIMESTAMP_WITHOUT_TIME_ZONE);
      }
    }
    if (SERIALS.contains(type)) {
      out.add(Rule.SERIAL_COLUMN);
    }
    if ((primaryKey || primaryKey()) && SMALL_INTS.contains(type)) {
      out.add(Rule.INT_PRIMARY_KEY);
    }
    return out;
  }

  /** True when adding the column writes a computed value into every existing row. */
  boolean fillsEveryRow() {
    if (SERIALS.contains(typeName()) || def.has("AS", "IDENTITY")) {
      return true;
    }
    int d = def.indexOf(0, "DEFAULT");
    if (d < 0) {
      return false;
    }
    for (int i = d + 1; i < def.size(); i++) {
      SqlToken t = def.get(i);
      SqlToken next = def.get(i + 1);
      if (t.kind() == Kind.WORD
          && VOLATILE.contains(t.value())
          && next != null
          && next.kind() == Kind.LPAREN) {
        return true;
      }
    }
    return false;
  }

  boolean storedGenerated() {
    return def.has("GENERATED", "ALWAYS", "AS") && def.has("STORED");
  }

  /** UNIQUE, PRIMARY KEY, REFERENCES or CHECK written on the column itself. */
  boolean inlineConstraint() {
    return def.hasAny("UNIQUE", "REFERENCES", "CHECK") || primaryKey();
  }

  boolean notNullWithoutDefault() {
    return def.has("NOT", "NULL") && !hasDefault() && !fillsEveryRow() && !storedGenerated();
  }
}
