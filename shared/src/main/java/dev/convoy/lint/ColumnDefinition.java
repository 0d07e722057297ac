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
          "random",
          "random_normal",
          "gen_random_uuid",
          "gen_random_bytes",
          "uuid_generate_v1",
          "uuid_generate_v1mc",
          "uuid_generate_v4",
          "uuidv4",
          "uuidv7",
          "clock_timestamp",
          "timeofday",
          "nextval",
          "setval");

  /**
   * Functions (and keywords written like calls) known not to be volatile: a default calling one is
   * computed once, so adding the column is instant. Any other function may be volatile (as squawk,
   * lint warns of what it cannot tell).
   */
  private static final Set<String> STABLE =
      Set.of(
          "now",
          "statement_timestamp",
          "transaction_timestamp",
          "current_timestamp",
          "localtimestamp",
          "current_time",
          "localtime",
          "current_setting",
          "current_database",
          "current_schema",
          "lower",
          "upper",
          "coalesce",
          "nullif",
          "greatest",
          "least",
          "cast",
          "row",
          "array",
          "length",
          "char_length",
          "concat",
          "concat_ws",
          "btrim",
          "trim",
          "replace",
          "md5",
          "to_json",
          "to_jsonb",
          "json_build_object",
          "jsonb_build_object",
          "json_build_array",
          "jsonb_build_array",
          "date_trunc",
          "make_interval",
          "make_date",
          "to_char",
          "to_timestamp",
          "to_date",
          "timezone",
          "abs",
          "round");

  /** Words that end a column's DEFAULT expression: the constraints written after it. */
  private static final Set<String> AFTER_DEFAULT =
      Set.of(
          "NOT",
          "CONSTRAINT",
          "CHECK",
          "REFERENCES",
          "UNIQUE",
          "PRIMARY",
          "GENERATED",
          "COLLATE",
          "DEFERRABLE",
          "INITIALLY");

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
    if (type.equals("NATIONAL") && (def.is(next, "CHARACTER") || def.is(next, "CHAR"))) {
      type = "CHAR";
      next++;
    }
    if (List.of("CHAR", "CHARACTER", "BPCHAR", "NCHAR").contains(type)
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

  /**
   * True when adding the column writes a computed value into every existing row: a serial or
   * identity, or a default calling a volatile function or one lint does not know.
   */
  boolean fillsEveryRow() {
    return SERIALS.contains(typeName()) || def.has("AS", "IDENTITY") || defaultCall() != null;
  }

  /**
   * The first function the DEFAULT calls that is volatile or not known to be stable, or null. A
   * type's parentheses ({@code ::numeric(10, 2)}, {@code CAST(x AS varchar(5))}) are no call.
   */
  String defaultCall() {
    int d = def.indexOf(0, "DEFAULT");
    if (d < 0) {
      return null;
    }
    int depth = 0;
    for (int i = d + 1; i < def.size(); i++) {
      SqlToken t = def.get(i);
      if (t.kind() == Kind.LPAREN) {
        depth++;
      } else if (t.kind() == Kind.RPAREN) {
        depth--;
      } else if (depth == 0 && t.kind() == Kind.WORD && AFTER_DEFAULT.contains(t.value())) {
        return null;
      }
      SqlToken next = def.get(i + 1);
      SqlToken before = def.get(i - 1);
      boolean typeName =
          before != null
              && (before.is("AS")
                  || before.value().equals(":")
                      && def.get(i - 2) != null
                      && def.get(i - 2).value().equals(":"));
      if (t.isName()
          && next != null
          && next.kind() == Kind.LPAREN
          && !typeName
          && !STABLE.contains(t.name())) {
        return t.name();
      }
    }
    return null;
  }

  /** What a volatile-default finding adds when the function is merely unknown, or "". */
  String unknownDefaultNote() {
    String f = defaultCall();
    return f == null || VOLATILE.contains(f)
        ? ""
        : " (" + f + "() is not known to lint to be stable or immutable)";
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
