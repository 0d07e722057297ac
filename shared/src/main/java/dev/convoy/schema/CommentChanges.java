package dev.convoy.schema;

import dev.convoy.ops.Sql;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * COMMENT ON for tables, columns, indexes, enums and sequences, each with a downgrade restoring the
 * old comment (or NULL). Comments of objects about to be dropped are cleared here, before the
 * drops, so a downgrade, which recreates the object first, can put them back.
 */
final class CommentChanges {
  private final Plan plan;

  CommentChanges(Plan plan) {
    this.plan = plan;
  }

  /** {@code from} (renamed columns under their new names) or {@code to} may be null. */
  void table(String name, Table from, Table to) {
    change("table " + name, "TABLE " + Sql.name(name), comment(from), comment(to));
    Map<String, Column> fc = from == null ? Map.of() : from.columns();
    Map<String, Column> tc = to == null ? Map.of() : to.columns();
    Set<String> columns = new TreeSet<>(fc.keySet());
    columns.addAll(tc.keySet());
    for (String c : columns) {
      change(
          "column " + name + "." + c,
          "COLUMN " + Sql.name(name) + "." + Sql.ident(c),
          fc.containsKey(c) ? fc.get(c).comment() : null,
          tc.containsKey(c) ? tc.get(c).comment() : null);
    }
    Map<String, Index> ti = to == null ? Map.of() : to.indexes();
    new TreeMap<>(ti)
        .forEach(
            (n, i) -> {
              // A dropped index clears its own comment; a recreated one starts without.
              Index old = from == null ? null : from.indexes().get(n);
              String was = ConstraintChanges.sameIndex(old, i) ? old.comment() : null;
              change("index " + n, "INDEX " + SchemaSql.indexName(name, n), was, i.comment());
            });
  }

  void types(Schema from, Schema to) {
    Set<String> enums = new TreeSet<>(from.enums().keySet());
    enums.addAll(to.enums().keySet());
    for (String e : enums) {
      EnumType f = from.enums().get(e);
      EnumType t = to.enums().get(e);
      change(
          "enum " + e,
          "TYPE " + Sql.name(e),
          f == null ? null : f.comment(),
          t == null ? null : t.comment());
    }
    Set<String> sequences = new TreeSet<>(from.sequences().keySet());
    sequences.addAll(to.sequences().keySet());
    for (String s : sequences) {
      Sequence f = from.sequences().get(s);
      Sequence t = to.sequences().get(s);
      change(
          "sequence " + s,
          "SEQUENCE " + Sql.name(s),
          f == null ? null : f.comment(),
          t == null ? null : t.comment());
    }
  }

  private static String comment(Table t) {
    return t == null ? null : t.comment();
  }

  private void change(String what, String target, String old, String now) {
    if (Objects.equals(old, now)) {
      return;
    }
    plan.add(
        DiffOrder.COMMENT,
        now == null ? "drop comment on " + what : "comment on " + what,
        new OpYaml()
            .sql(SchemaSql.comment(target, now), SchemaSql.comment(target, old), true, false),
        false);
  }
}
