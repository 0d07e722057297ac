package dev.convoy.schema;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/** The column changes of a table present on both sides: renames, adds, alterations and drops. */
final class ColumnChanges {
  /** The backfill line autogenerate leaves for the author; the parser refuses it until replaced. */
  static final String BACKFILL_PLACEHOLDER =
      "    backfill: \""
          + dev.convoy.ops.ColumnFields.BACKFILL_PLACEHOLDER
          + "\"  # convoy: write the value existing rows get";

  private final Plan plan;
  private final String table;
  private final Serials fromSerials;
  private final Serials toSerials;

  ColumnChanges(Plan plan, String table, Serials fromSerials, Serials toSerials) {
    this.plan = plan;
    this.table = table;
    this.fromSerials = fromSerials;
    this.toSerials = toSerials;
  }

  /** {@code from}'s columns are already renamed as {@code renames} (old to new) says. */
  void diff(Map<String, Column> from, Map<String, Column> to, Map<String, String> renames) {
    renames.forEach(
        (old, now) ->
            plan.add(
                DiffOrder.COLUMN_RENAME,
                "rename column " + table + "." + old + " to " + now,
                new OpYaml()
                    .comment(
                        "The rename runs in contract: an application still using "
                            + old
                            + " fails from then on, and one using "
                            + now
                            + " fails before it")
                    .op("rename_column")
                    .field("table", table)
                    .field("from", old)
                    .field("to", now),
                false));
    List<Column> added = new ArrayList<>();
    List<Column> dropped = new ArrayList<>();
    for (Column c : to.values()) {
      if (!from.containsKey(c.name())) {
        added.add(c);
      }
    }
    for (Column c : from.values()) {
      if (!to.containsKey(c.name())) {
        dropped.add(c);
      }
    }
    String hint = null;
    if (renames.isEmpty()
        && added.size() == 1
        && dropped.size() == 1
        && SchemaSql.typeAndCollation(added.get(0))
            .equals(SchemaSql.typeAndCollation(dropped.get(0)))) {
      String o = dropped.get(0).name();
      String n = added.get(0).name();
      hint =
          "If this is a rename of "
              + o
              + " to "
              + n
              + ", run again with --rename "
              + table
              + "."
              + o
              + ":"
              + n
              + " (the drop below loses every value of "
              + o
              + ")";
    }
    for (Column c : added) {
      new ColumnAdds(plan, table, toSerials).add(c); // the hint stands once, above the drop
    }
    for (Map.Entry<String, Column> e : new TreeMap<>(to).entrySet()) {
      Column old = from.get(e.getKey());
      if (old != null) {
        alter(old, e.getValue());
      }
    }
    for (Column c : dropped) {
      drop(c, hint);
    }
  }

  /** The column as create_table, add_column, drop_table and drop_column write it. */
  static Map<String, Object> spec(String table, Column c, Serials serials, boolean forAdd) {
    String serial = serials.serialType(table, c);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", c.name());
    m.put("type", serial != null ? serial : SchemaSql.columnType(c));
    // serial and identity columns are NOT NULL by themselves; a generated one added to a table
    // with rows gets its NOT NULL afterwards (set_not_null), once its values are computed.
    boolean implied = serial != null || c.identity() != null || (forAdd && c.generated() != null);
    if (c.notNull() && !implied) {
      m.put("nullable", false);
    }
    if (serial == null && c.defaultExpr() != null) {
      m.put("default", c.defaultExpr());
    }
    return m;
  }

  static String describeType(String table, Column c, Serials serials) {
    String serial = serials.serialType(table, c);
    return serial != null ? serial : SchemaSql.columnType(c);
  }

  private void drop(Column c, String hint) {
    String type = describeType(table, c, fromSerials);
    OpYaml y = new OpYaml();
    if (hint != null) {
      y.comment(hint);
    }
    y.comment(
        "DATA AT RISK: drops "
            + table
            + "."
            + c.name()
            + " ("
            + type
            + ") and every value in it; a downgrade re-adds the column"
            + (c.defaultExpr() == null ? " empty" : " holding its default"));
    Map<String, Object> spec = spec(table, c, fromSerials, false);
    spec.remove("nullable");
    boolean keepNotNull = c.notNull() && spec.containsKey("default");
    if (keepNotNull) {
      // Dropped first so the downgrade, which re-adds the column filled with its default, can
      // constrain it again.
      y.op("drop_not_null").field("table", table).field("column", c.name());
    }
    y.op("drop_column").field("table", table).map("column", spec);
    plan.add(
        DiffOrder.COLUMN_DROP,
        "drop column " + table + "." + c.name() + " (" + type + ")",
        y,
        true);
  }

  private void alter(Column old, Column now) {
    String what = table + "." + now.name();
    boolean generatedChange =
        !Objects.equals(old.generated(), now.generated())
            || (now.generated() != null && !old.type().equals(now.type()));
    if (generatedChange) {
      generated(old, now);
    }
    boolean typeHandled = generatedChange && now.generated() != null;
    String fromType = SchemaSql.typeAndCollation(old);
    String toType = SchemaSql.typeAndCollation(now);
    if (!typeHandled && !fromType.equals(toType)) {
      plan.add(
          DiffOrder.COLUMN_ALTER,
          "alter column " + what + " type " + fromType + " -> " + toType,
          new OpYaml()
              .op("alter_column")
              .field("table", table)
              .field("column", now.name())
              .field("type", toType)
              .field("from_type", fromType),
          TypeNarrowing.narrows(fromType, toType));
    }
    if (!Objects.equals(old.defaultExpr(), now.defaultExpr()) && now.generated() == null) {
      OpYaml y = new OpYaml().op("alter_column").field("table", table).field("column", now.name());
      if (now.defaultExpr() == null) {
        y.flag("drop_default", true);
      } else {
        y.field("default", now.defaultExpr());
      }
      y.field("from_default", old.defaultExpr());
      plan.add(
          DiffOrder.COLUMN_ALTER,
          now.defaultExpr() == null
              ? "drop default of " + what
              : "set default of " + what + " to " + now.defaultExpr(),
          y,
          false);
    }
    if (old.identity() != null && !Objects.equals(old.identity(), now.identity())) {
      identityDropOrSwitch(old, now);
    }
    if (old.notNull() != now.notNull()) {
      notNull(now);
    }
    if (now.identity() != null && old.identity() == null) {
      String col = SchemaSql.alterColumn(table, now.name());
      plan.add(
          DiffOrder.COLUMN_ALTER,
          "make " + what + " an identity column",
          new OpYaml()
              .comment(
                  "Runs in contract, once the column is NOT NULL; the identity's sequence starts"
                      + " at 1: restart it past the column's highest value if rows exist")
              .sql(
                  col + "ADD GENERATED " + SchemaSql.identityWord(now.identity()) + " AS IDENTITY",
                  col + "DROP IDENTITY IF EXISTS",
                  true,
                  true),
          false);
    }
  }

  private void identityDropOrSwitch(Column old, Column now) {
    String what = table + "." + now.name();
    String col = SchemaSql.alterColumn(table, now.name());
    String oldWord = SchemaSql.identityWord(old.identity());
    if (now.identity() == null) {
      plan.add(
          DiffOrder.COLUMN_ALTER,
          "drop identity of " + what,
          new OpYaml()
              .sql(
                  col + "DROP IDENTITY IF EXISTS",
                  col + "ADD GENERATED " + oldWord + " AS IDENTITY",
                  true,
                  false),
          false);
    } else {
      plan.add(
          DiffOrder.COLUMN_ALTER,
          "make " + what + " generated " + SchemaSql.identityWord(now.identity()).toLowerCase(),
          new OpYaml()
              .sql(
                  col + "SET GENERATED " + SchemaSql.identityWord(now.identity()),
                  col + "SET GENERATED " + oldWord,
                  true,
                  false),
          false);
    }
  }

  private void notNull(Column now) {
    String what = table + "." + now.name();
    if (!now.notNull()) {
      plan.add(
          DiffOrder.COLUMN_ALTER,
          "drop not null of " + what,
          new OpYaml().op("drop_not_null").field("table", table).field("column", now.name()),
          false);
      return;
    }
    plan.add(
        DiffOrder.COLUMN_ALTER,
        "set not null on " + what,
        new OpYaml()
            .comment(
                "Rows holding NULL in "
                    + what
                    + " would fail the contract's VALIDATE: write the value they get below, or"
                    + " delete the backfill line if no row can hold NULL")
            .op("set_not_null")
            .field("table", table)
            .field("column", now.name())
            .line(BACKFILL_PLACEHOLDER),
        false);
  }

  /** A generation expression cannot be changed in place: the column is dropped and added again. */
  private void generated(Column old, Column now) {
    String what = table + "." + now.name();
    String drop = SchemaSql.alterTable(table) + "DROP COLUMN IF EXISTS " + ident(now);
    String addNew =
        SchemaSql.alterTable(table) + "ADD COLUMN " + ident(now) + " " + SchemaSql.columnType(now);
    String addOld =
        SchemaSql.alterTable(table) + "ADD COLUMN " + ident(now) + " " + SchemaSql.columnType(old);
    String dropExpr = SchemaSql.alterColumn(table, now.name()) + "DROP EXPRESSION IF EXISTS";
    if (now.generated() == null) {
      plan.add(
          DiffOrder.COLUMN_ALTER,
          "make " + what + " a stored column (no longer generated)",
          new OpYaml().sql(dropExpr, drop + ";\n" + addOld, true, false),
          false);
    } else if (old.generated() == null) {
      String down =
          old.type().equals(now.type())
              ? dropExpr
              : dropExpr
                  + ";\n"
                  + SchemaSql.alterColumn(table, now.name())
                  + "TYPE "
                  + SchemaSql.typeAndCollation(old)
                  + " USING "
                  + ident(now)
                  + "::"
                  + old.type();
      plan.add(
          DiffOrder.COLUMN_ALTER,
          "make " + what + " generated as " + now.generated(),
          new OpYaml()
              .comment(
                  "DATA AT RISK: "
                      + what
                      + " is dropped and added again as a generated column: its values are"
                      + " replaced by the computed ones")
              .sql(drop + ";\n" + addNew, down, true, false),
          true);
    } else {
      plan.add(
          DiffOrder.COLUMN_ALTER,
          "change generated column " + what + " to " + now.generated(),
          new OpYaml()
              .comment(
                  "A generation expression cannot be altered: the column is dropped and added"
                      + " again (its values are recomputed; indexes on it must be recreated)")
              .sql(drop + ";\n" + addNew, drop + ";\n" + addOld, true, false),
          false);
    }
  }

  private static String ident(Column c) {
    return dev.convoy.ops.Sql.ident(c.name());
  }
}
