package dev.convoy.schema;

import dev.convoy.ops.Sql;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Keys, constraints and indexes of one table: dropped (or changed) ones are dropped before the
 * columns change, new (or changed) ones added after. A new table's primary key is part of its
 * create_table; a dropped table's goes with its drop_table, but its other constraints and indexes
 * are dropped one by one first, so the downgrade recreates them all.
 */
final class ConstraintChanges {
  private final Plan plan;
  private final String table;

  ConstraintChanges(Plan plan, String table) {
    this.plan = plan;
    this.table = table;
  }

  /** {@code from} is null for a new table, {@code to} null for a dropped one. */
  void diff(Table from, Table to) {
    new PrimaryKeyChanges(plan, table).diff(from, to);
    Map<String, Table.Unique> fu = from == null ? Map.of() : from.uniques();
    Map<String, Table.Unique> tu = to == null ? Map.of() : to.uniques();
    new TreeMap<>(fu)
        .forEach(
            (n, u) -> {
              if (!u.equals(tu.get(n))) {
                dropUnique(u);
              }
            });
    new TreeMap<>(tu)
        .forEach(
            (n, u) -> {
              if (!u.equals(fu.get(n))) {
                addUnique(u);
              }
            });
    Map<String, Table.ForeignKey> ff = from == null ? Map.of() : from.foreignKeys();
    Map<String, Table.ForeignKey> tf = to == null ? Map.of() : to.foreignKeys();
    new TreeMap<>(ff)
        .forEach(
            (n, f) -> {
              if (!f.equals(tf.get(n))) {
                dropForeignKey(f);
              }
            });
    new TreeMap<>(tf)
        .forEach(
            (n, f) -> {
              if (!f.equals(ff.get(n))) {
                addForeignKey(f);
              }
            });
    Map<String, Table.Check> fc = from == null ? Map.of() : from.checks();
    Map<String, Table.Check> tc = to == null ? Map.of() : to.checks();
    new TreeMap<>(fc)
        .forEach(
            (n, c) -> {
              if (!sameCheck(c, tc.get(n))) {
                dropCheck(c);
              }
            });
    new TreeMap<>(tc)
        .forEach(
            (n, c) -> {
              if (!sameCheck(c, fc.get(n))) {
                addCheck(c);
              }
            });
    Map<String, Index> fi = from == null ? Map.of() : from.indexes();
    Map<String, Index> ti = to == null ? Map.of() : to.indexes();
    new TreeMap<>(fi)
        .forEach(
            (n, i) -> {
              if (!sameIndex(i, ti.get(n))) {
                dropIndex(i);
              }
            });
    new TreeMap<>(ti)
        .forEach(
            (n, i) -> {
              if (!sameIndex(fi.get(n), i)) {
                addIndex(i);
              }
            });
  }

  /** True when the key has the name create_table gives it ({@code table_pkey}). */
  static boolean defaultNamed(String table, Table.PrimaryKey pk) {
    return pk != null && pk.name().equals(Sql.simpleName(table) + "_pkey");
  }

  /** The same index: equal definitions, or the same plain columns, method and predicate. */
  static boolean sameIndex(Index a, Index b) {
    if (a == null || b == null) {
      return false;
    }
    if (a.definition().equals(b.definition())) {
      return true;
    }
    return a.plainColumns()
        && b.plainColumns()
        && a.unique() == b.unique()
        && a.keys().equals(b.keys())
        && Objects.equals(a.method(), b.method())
        && Objects.equals(a.where(), b.where());
  }

  private static boolean sameCheck(Table.Check a, Table.Check b) {
    return b != null && SchemaSql.checkExpression(a).equals(SchemaSql.checkExpression(b));
  }

  private String cols(List<String> columns) {
    return table + " (" + String.join(", ", columns) + ")";
  }

  /**
   * A unique index built CONCURRENTLY (alone, outside a transaction), then made the constraint with
   * {@code USING INDEX}, a catalog change: what add_unique does, for what it cannot say.
   */
  private OpYaml indexThenConstraint(String name, List<String> columns, String kind, String opts) {
    String index = SchemaSql.indexName(table, name);
    return new OpYaml()
        .sql(
            "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "
                + Sql.ident(name)
                + " ON "
                + Sql.name(table)
                + " ("
                + Sql.idents(columns)
                + ")"
                + opts,
            "DROP INDEX CONCURRENTLY IF EXISTS " + index,
            false,
            false)
        .sql(
            SchemaSql.alterTable(table)
                + "ADD CONSTRAINT "
                + Sql.ident(name)
                + " "
                + kind
                + " USING INDEX "
                + Sql.ident(name),
            SchemaSql.dropConstraint(table, name),
            true,
            false);
  }

  private void dropUnique(Table.Unique u) {
    plan.add(
        DiffOrder.UNIQUE_DROP,
        "drop unique " + u.name() + " on " + cols(u.columns()),
        new OpYaml()
            .sql(
                SchemaSql.dropConstraint(table, u.name()),
                SchemaSql.addUnique(table, u),
                true,
                false),
        false);
  }

  private void addUnique(Table.Unique u) {
    OpYaml y =
        u.nullsNotDistinct()
            ? indexThenConstraint(u.name(), u.columns(), "UNIQUE", " NULLS NOT DISTINCT")
            : new OpYaml()
                .op("add_unique")
                .field("table", table)
                .field("name", u.name())
                .list("columns", u.columns());
    plan.add(DiffOrder.UNIQUE_ADD, "add unique " + u.name() + " on " + cols(u.columns()), y, false);
  }

  private String fkSummary(Table.ForeignKey f) {
    return f.name()
        + " "
        + cols(f.columns())
        + " -> "
        + f.refTable()
        + " ("
        + String.join(", ", f.refColumns())
        + ")";
  }

  private void dropForeignKey(Table.ForeignKey f) {
    plan.add(
        DiffOrder.FOREIGN_KEY_DROP,
        "drop foreign key " + fkSummary(f),
        new OpYaml()
            .sql(
                SchemaSql.dropConstraint(table, f.name()),
                SchemaSql.alterTable(table)
                    + "ADD CONSTRAINT "
                    + Sql.ident(f.name())
                    + " "
                    + SchemaSql.foreignKey(f),
                true,
                false),
        false);
  }

  private void addForeignKey(Table.ForeignKey f) {
    OpYaml y = new OpYaml();
    if (f.deferrable()) {
      // add_foreign_key cannot say DEFERRABLE: the same two steps as sql.
      String add =
          SchemaSql.alterTable(table)
              + "ADD CONSTRAINT "
              + Sql.ident(f.name())
              + " "
              + SchemaSql.foreignKey(f)
              + " NOT VALID";
      y.sql(add, SchemaSql.dropConstraint(table, f.name()), true, false)
          .sql(
              SchemaSql.alterTable(table) + "VALIDATE CONSTRAINT " + Sql.ident(f.name()),
              SchemaSql.dropConstraint(table, f.name()),
              true,
              true);
    } else {
      y.op("add_foreign_key")
          .field("table", table)
          .field("name", f.name())
          .list("columns", f.columns())
          .line(
              "    references: {table: "
                  + OpYaml.scalar(f.refTable())
                  + ", columns: "
                  + OpYaml.flowList(f.refColumns())
                  + "}")
          .field("on_delete", SchemaSql.actionOrNull(f.onDelete()))
          .field("on_update", SchemaSql.actionOrNull(f.onUpdate()));
    }
    plan.add(DiffOrder.FOREIGN_KEY_ADD, "add foreign key " + fkSummary(f), y, false);
  }

  private void dropCheck(Table.Check c) {
    plan.add(
        DiffOrder.CHECK_DROP,
        "drop check " + c.name() + " on " + table,
        new OpYaml()
            .sql(
                SchemaSql.dropConstraint(table, c.name()),
                SchemaSql.addCheck(table, c),
                true,
                false),
        false);
  }

  private void addCheck(Table.Check c) {
    plan.add(
        DiffOrder.CHECK_ADD,
        "add check " + c.name() + " on " + table + ": " + SchemaSql.checkExpression(c),
        new OpYaml()
            .op("add_check")
            .field("table", table)
            .field("name", c.name())
            .field("check", SchemaSql.checkExpression(c)),
        false);
  }

  private boolean typed(Index i) {
    return i.plainColumns() && Sql.schemaOf(table) == null;
  }

  private String indexSummary(Index i) {
    return (i.unique() ? "unique index " : "index ")
        + i.name()
        + " on "
        + (i.plainColumns() ? cols(i.keys()) : table)
        + (i.where() == null ? "" : " where " + i.where());
  }

  private OpYaml indexFields(OpYaml y, Index i) {
    y.field("table", table).field("name", i.name()).list("columns", i.keys());
    if (i.unique()) {
      y.flag("unique", true);
    }
    y.field("where", i.where());
    if (i.method() != null && !i.method().equals("btree")) {
      y.field("using", i.method());
    }
    return y;
  }

  private void dropIndex(Index i) {
    OpYaml y = new OpYaml();
    if (i.comment() != null) {
      String what = "INDEX " + SchemaSql.indexName(table, i.name());
      y.sql(SchemaSql.comment(what, null), SchemaSql.comment(what, i.comment()), true, false);
    }
    if (typed(i)) {
      indexFields(y.op("drop_index"), i);
    } else {
      y.sql(
          "DROP INDEX CONCURRENTLY IF EXISTS " + SchemaSql.indexName(table, i.name()),
          concurrently(i),
          false,
          false);
    }
    plan.add(DiffOrder.INDEX_DROP, "drop " + indexSummary(i), y, false);
  }

  private void addIndex(Index i) {
    OpYaml y = new OpYaml();
    if (typed(i)) {
      indexFields(y.op("create_index"), i);
    } else {
      y.sql(
          concurrently(i),
          "DROP INDEX CONCURRENTLY IF EXISTS " + SchemaSql.indexName(table, i.name()),
          false,
          false);
    }
    plan.add(DiffOrder.INDEX_ADD, "add " + indexSummary(i), y, false);
  }

  /** The index's own definition, built CONCURRENTLY and skipped when it exists. */
  static String concurrently(Index i) {
    return i.definition()
        .replaceFirst("^CREATE (UNIQUE )?INDEX ", "CREATE $1INDEX CONCURRENTLY IF NOT EXISTS ");
  }
}
