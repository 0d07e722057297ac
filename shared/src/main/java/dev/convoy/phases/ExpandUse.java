package dev.convoy.phases;

import dev.convoy.ops.AddCheck;
import dev.convoy.ops.AddColumn;
import dev.convoy.ops.AddForeignKey;
import dev.convoy.ops.AddUnique;
import dev.convoy.ops.AlterColumn;
import dev.convoy.ops.Backfill;
import dev.convoy.ops.ColumnSpec;
import dev.convoy.ops.CreateIndex;
import dev.convoy.ops.CreateTable;
import dev.convoy.ops.DropIndex;
import dev.convoy.ops.DropNotNull;
import dev.convoy.ops.Operation;
import dev.convoy.ops.Phase;
import dev.convoy.ops.RawSql;
import dev.convoy.ops.SetNotNull;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What an operation's expand and backfill phases name: a table (null for raw SQL, which may name
 * any), a column of it (or null), the names its SQL expressions mention, and whether it changes the
 * column's definition (nullability, default, type) rather than only reading or indexing it.
 */
record ExpandUse(String table, String column, Set<String> sqlNames, boolean alters, String what) {

  static List<ExpandUse> of(Operation op) {
    if (op.upgradeSteps().stream().allMatch(s -> s.phase() == Phase.CONTRACT)) {
      return List.of();
    }
    String what = op.describe();
    List<ExpandUse> out = new ArrayList<>();
    if (op instanceof CreateTable c) {
      Set<String> names = new LinkedHashSet<>();
      for (ColumnSpec col : c.columns()) {
        names.addAll(SqlNames.of(col.defaultExpr()));
      }
      out.add(new ExpandUse(c.table(), null, names, true, what));
    } else if (op instanceof AddColumn a) {
      out.add(
          new ExpandUse(
              a.table(),
              a.column().name(),
              names(a.backfill(), a.column().defaultExpr(), a.column().type()),
              true,
              what));
    } else if (op instanceof AlterColumn a) {
      out.add(
          new ExpandUse(
              a.table(), a.column(), names(a.using(), a.defaultExpr(), a.type()), true, what));
    } else if (op instanceof SetNotNull s) {
      out.add(new ExpandUse(s.table(), s.column(), names(s.backfill()), true, what));
    } else if (op instanceof DropNotNull d) {
      out.add(new ExpandUse(d.table(), d.column(), Set.of(), true, what));
    } else if (op instanceof Backfill b) {
      List<String> exprs = new ArrayList<>(b.set().values());
      exprs.add(b.where());
      Set<String> names = names(exprs.toArray(String[]::new));
      for (String col : b.set().keySet()) {
        out.add(new ExpandUse(b.table(), col, names, false, what));
      }
    } else if (op instanceof CreateIndex c) {
      for (String col : c.columns()) {
        out.add(new ExpandUse(c.table(), col, names(c.where()), false, what));
      }
    } else if (op instanceof DropIndex d) {
      String table = d.recreate() == null ? null : d.recreate().table();
      out.add(new ExpandUse(table, null, names(quoted(d.name())), false, what));
    } else if (op instanceof AddForeignKey f) {
      for (String col : f.columns()) {
        out.add(new ExpandUse(f.table(), col, Set.of(), false, what));
      }
      for (String col : f.refColumns()) {
        out.add(new ExpandUse(f.refTable(), col, Set.of(), false, what));
      }
    } else if (op instanceof AddCheck c) {
      out.add(new ExpandUse(c.table(), null, names(c.check()), false, what));
    } else if (op instanceof AddUnique u) {
      for (String col : u.columns()) {
        out.add(new ExpandUse(u.table(), col, Set.of(), false, what));
      }
    } else if (op instanceof RawSql r) {
      out.add(new ExpandUse(null, null, names(r.upSql()), true, what));
    } else {
      // An operation this reader does not know: as opaque as raw SQL, so nothing is missed.
      out.add(new ExpandUse(null, null, names(op.up(true).toString()), true, what));
    }
    return out;
  }

  private static Set<String> names(String... sqls) {
    Set<String> out = new LinkedHashSet<>();
    for (String s : sqls) {
      out.addAll(SqlNames.of(s));
    }
    return out;
  }

  private static String quoted(String name) {
    return '"' + dev.convoy.ops.Sql.simpleName(name).replace("\"", "\"\"") + '"';
  }
}
