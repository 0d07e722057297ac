package dev.convoy.schema;

import dev.convoy.ops.Sql;
import java.util.List;
import java.util.Objects;

/** A table's primary key: added, changed or dropped without leaving the table keyless. */
final class PrimaryKeyChanges {
  private final Plan plan;
  private final String table;

  PrimaryKeyChanges(Plan plan, String table) {
    this.plan = plan;
    this.table = table;
  }

  /** {@code from} is null for a new table, {@code to} null for a dropped one. */
  void diff(Table from, Table to) {
    Table.PrimaryKey fp = from == null ? null : from.primaryKey();
    Table.PrimaryKey tp = to == null ? null : to.primaryKey();
    if (from != null && to != null) {
      primaryKey(fp, tp);
    } else if (from == null && tp != null && !ConstraintChanges.defaultNamed(table, tp)) {
      // create_table's key gets PostgreSQL's name; another one is added right after, by name.
      plan.add(
          DiffOrder.PRIMARY_KEY_ADD,
          "add primary key " + tp.name() + " on " + cols(tp.columns()),
          new OpYaml()
              .sql(
                  SchemaSql.addPrimaryKey(table, tp),
                  SchemaSql.dropConstraint(table, tp.name()),
                  true,
                  false),
          false);
    } else if (to == null && fp != null && !ConstraintChanges.defaultNamed(table, fp)) {
      primaryKey(fp, null);
    }
  }

  private String cols(List<String> columns) {
    return table + " (" + String.join(", ", columns) + ")";
  }

  /**
   * A primary key added or changed on a table in use: its unique index is built CONCURRENTLY in
   * expand (under a helper name while the old key's index holds the name), and the constraint is
   * swapped in contract, one ALTER TABLE dropping the old and attaching the index (which takes the
   * key's name). By then the revision's NOT NULL changes have run, so the attach scans nothing, and
   * the table never goes without a key while both application versions write to it.
   */
  private void primaryKey(Table.PrimaryKey old, Table.PrimaryKey now) {
    if (Objects.equals(old, now)) {
      return;
    }
    if (now == null) {
      plan.add(
          DiffOrder.PRIMARY_KEY_DROP,
          "drop primary key " + old.name() + " of " + cols(old.columns()),
          new OpYaml()
              .sql(
                  SchemaSql.dropConstraint(table, old.name()),
                  SchemaSql.addPrimaryKey(table, old),
                  true,
                  true),
          false);
      return;
    }
    String index =
        old != null && old.name().equals(now.name()) ? cut("convoy_ix_" + now.name()) : now.name();
    String swap =
        SchemaSql.alterTable(table)
            + (old == null ? "" : "DROP CONSTRAINT " + Sql.ident(old.name()) + ", ")
            + "ADD CONSTRAINT "
            + Sql.ident(now.name())
            + " PRIMARY KEY USING INDEX "
            + Sql.ident(index);
    String back =
        SchemaSql.alterTable(table)
            + "DROP CONSTRAINT "
            + Sql.ident(now.name())
            + (old == null
                ? ""
                : ", ADD CONSTRAINT "
                    + Sql.ident(old.name())
                    + " PRIMARY KEY ("
                    + Sql.idents(old.columns())
                    + ")");
    plan.add(
        DiffOrder.PRIMARY_KEY_ADD,
        (old == null ? "add" : "change")
            + " primary key "
            + now.name()
            + " on "
            + cols(now.columns()),
        new OpYaml()
            .sql(
                "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "
                    + Sql.ident(index)
                    + " ON "
                    + Sql.name(table)
                    + " ("
                    + Sql.idents(now.columns())
                    + ")",
                "DROP INDEX CONCURRENTLY IF EXISTS " + SchemaSql.indexName(table, index),
                false,
                false)
            .sql(swap, back, true, true),
        false);
  }

  private static String cut(String name) {
    return name.length() > 63 ? name.substring(0, 63) : name;
  }
}
