package dev.convoy.schema;

import dev.convoy.error.ConvoyException;
import dev.convoy.error.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The operations that take a database from one schema to another, zero-downtime and in dependency
 * order ({@link DiffOrder}), as typed YAML where a typed operation can say it and as {@code sql}
 * with its downgrade where not. Pure: no database.
 */
public final class SchemaDiff {
  private final Schema from;
  private final Schema to;
  private final Renames renames;
  private final Plan plan = new Plan();

  private SchemaDiff(Schema from, Schema to, Renames renames) {
    this.from = from;
    this.to = to;
    this.renames = renames;
  }

  /** The changes from {@code from} to {@code to}, in the order they must run; empty if equal. */
  public static List<Change> between(Schema from, Schema to, Renames renames) {
    return new SchemaDiff(from, to, renames).run();
  }

  private List<Change> run() {
    SchemaNames.diff(plan, from, to);
    Schema renamed = RenamedColumns.apply(from, to, renames);
    new TypeChanges(plan, from, to).diff();
    CommentChanges comments = new CommentChanges(plan);
    comments.types(from, to);
    Serials fromSerials = new Serials(from);
    Serials toSerials = new Serials(to);
    for (Map.Entry<String, Table> e : new TreeMap<>(to.tables()).entrySet()) {
      String name = e.getKey();
      Table now = e.getValue();
      Table old = renamed.tables().get(name);
      if (old == null) {
        createTable(name, now, toSerials);
      } else {
        new ColumnChanges(plan, name, fromSerials, toSerials)
            .diff(old.columns(), now.columns(), renames.columns().getOrDefault(name, Map.of()));
      }
      new ConstraintChanges(plan, name).diff(old, now);
      comments.table(name, old, now);
    }
    for (Map.Entry<String, Table> e : new TreeMap<>(renamed.tables()).entrySet()) {
      if (!to.tables().containsKey(e.getKey())) {
        new ConstraintChanges(plan, e.getKey()).diff(e.getValue(), null);
        comments.table(e.getKey(), e.getValue(), null);
        dropTable(e.getKey(), e.getValue(), fromSerials);
      }
    }
    return plan.changes();
  }

  /** The columns in the table's own order, as declared (a new table) or as it was (a drop). */
  private static List<Column> ordered(Table t) {
    return new ArrayList<>(t.columns().values());
  }

  private void createTable(String name, Table t, Serials serials) {
    OpYaml y = new OpYaml().op("create_table").field("table", name);
    y.maps(
        "columns",
        ordered(t).stream().map(c -> ColumnChanges.spec(name, c, serials, false)).toList());
    if (ConstraintChanges.defaultNamed(name, t.primaryKey())) {
      y.list("primary_key", t.primaryKey().columns());
    }
    plan.add(DiffOrder.TABLE_CREATE, "create table " + name + " (" + columns(t) + ")", y, false);
  }

  private static String columns(Table t) {
    int n = t.columns().size();
    return n + (n == 1 ? " column" : " columns");
  }

  private void dropTable(String name, Table t, Serials serials) {
    OpYaml y =
        new OpYaml()
            .comment(
                "DATA AT RISK: drops table "
                    + name
                    + " ("
                    + columns(t)
                    + ") and every row in it; a downgrade recreates it empty")
            .op("drop_table")
            .field("table", name)
            .maps(
                "columns",
                ordered(t).stream().map(c -> ColumnChanges.spec(name, c, serials, false)).toList());
    if (ConstraintChanges.defaultNamed(name, t.primaryKey())) {
      y.list("primary_key", t.primaryKey().columns());
    }
    plan.add(DiffOrder.TABLE_DROP, "drop table " + name + " (" + columns(t) + ")", y, true);
  }

  static ConvoyException badRename(String rename, String why) {
    return new ConvoyException(
        ErrorCode.BAD_INPUT,
        "--rename " + rename + ": " + why + "; write --rename table.old_column:new_column");
  }
}
