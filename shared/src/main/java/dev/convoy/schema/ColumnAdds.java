package dev.convoy.schema;

/**
 * Columns added to a table that already exists: a NOT NULL one without a default asks for its
 * backfill, a volatile default is backfilled in batches instead of computed under the lock, an
 * identity column says it rewrites the table, and a stored generated column comes in contract.
 */
final class ColumnAdds {
  private final Plan plan;
  private final String table;
  private final Serials toSerials;

  ColumnAdds(Plan plan, String table, Serials toSerials) {
    this.plan = plan;
    this.table = table;
    this.toSerials = toSerials;
  }

  void add(Column c) {
    add(c, null);
  }

  private void add(Column c, String hint) {
    if (c.generated() != null) {
      addGenerated(c);
      return;
    }
    if (c.defaultExpr() != null
        && c.identity() == null
        && toSerials.serialType(table, c) == null
        && Volatility.isVolatile(c.defaultExpr())) {
      addWithVolatileDefault(c);
      return;
    }
    OpYaml y = new OpYaml();
    if (hint != null) {
      y.comment(hint);
    }
    if (c.identity() != null) {
      y.comment(
          "Adding an identity column numbers every row of "
              + table
              + " while it is locked (ACCESS EXCLUSIVE, a rewrite): fine on a small table; on a"
              + " big one, add a plain column, fill it from a sequence in batches, then attach the"
              + " identity by hand");
    }
    boolean needsBackfill =
        c.notNull()
            && c.defaultExpr() == null
            && c.identity() == null
            && c.generated() == null
            && toSerials.serialType(table, c) == null;
    if (needsBackfill) {
      y.comment(
          table
              + "."
              + c.name()
              + " is NOT NULL without a default: write the value rows already in "
              + table
              + " get on the backfill line (an SQL expression over the row), or give it a default");
    }
    y.op("add_column")
        .field("table", table)
        .map("column", ColumnChanges.spec(table, c, toSerials, true));
    if (needsBackfill) {
      y.line(ColumnChanges.BACKFILL_PLACEHOLDER);
    }
    plan.add(
        DiffOrder.COLUMN_ADD,
        "add column "
            + table
            + "."
            + c.name()
            + " ("
            + ColumnChanges.describeType(table, c, toSerials)
            + (needsBackfill ? ", NOT NULL: fill in its backfill" : "")
            + ")",
        y,
        false);
  }

  /**
   * A stored generated column, added in contract: after every type change of the revision (an
   * expression over a column being retyped would block its swap), as the last thing it does.
   */
  private void addGenerated(Column c) {
    String what = table + "." + c.name();
    plan.add(
        DiffOrder.GENERATED_COLUMN_ADD,
        "add generated column " + what + " (" + c.type() + ")",
        new OpYaml()
            .comment(
                "Adding a stored generated column computes it for every row of "
                    + table
                    + " while the table is locked (ACCESS EXCLUSIVE, a rewrite): fine on a small"
                    + " table; on a big one, add a plain column kept by a trigger and backfilled"
                    + " instead")
            .sql(
                SchemaSql.alterTable(table)
                    + "ADD COLUMN IF NOT EXISTS "
                    + ident(c)
                    + " "
                    + SchemaSql.columnType(c)
                    + (c.notNull() ? " NOT NULL" : ""),
                SchemaSql.alterTable(table) + "DROP COLUMN IF EXISTS " + ident(c),
                true,
                true),
        false);
  }

  /**
   * A volatile default (random(), gen_random_uuid(), nextval()...) given with ADD COLUMN would be
   * evaluated for every row under the table's lock. The column is added without it, existing rows
   * are filled in batches with the same expression, and the default is set for new rows.
   */
  private void addWithVolatileDefault(Column c) {
    Column bare =
        new Column(
            c.name(),
            c.type(),
            c.notNull(),
            null,
            c.identity(),
            c.generated(),
            c.collation(),
            c.comment());
    plan.add(
        DiffOrder.COLUMN_ADD,
        "add column "
            + table
            + "."
            + c.name()
            + " ("
            + c.type()
            + ", default "
            + c.defaultExpr()
            + ")",
        new OpYaml()
            .comment(
                "The default "
                    + c.defaultExpr()
                    + " is volatile: given with the column it would be computed for every row"
                    + " under the table's lock, so rows are filled in batches and the default"
                    + " set after")
            .op("add_column")
            .field("table", table)
            .map("column", ColumnChanges.spec(table, bare, toSerials, true))
            .field("backfill", c.defaultExpr())
            .op("alter_column")
            .field("table", table)
            .field("column", c.name())
            .field("default", c.defaultExpr()),
        false);
  }

  private static String ident(Column c) {
    return dev.convoy.ops.Sql.ident(c.name());
  }
}
