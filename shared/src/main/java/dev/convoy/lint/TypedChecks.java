package dev.convoy.lint;

import dev.convoy.ops.AddColumn;
import dev.convoy.ops.AlterColumn;
import dev.convoy.ops.ColumnSpec;
import dev.convoy.ops.CreateIndex;
import dev.convoy.ops.CreateTable;
import dev.convoy.ops.DropColumn;
import dev.convoy.ops.DropIndex;
import dev.convoy.ops.DropTable;
import dev.convoy.ops.Operation;
import dev.convoy.ops.RenameColumn;
import dev.convoy.ops.RenameTable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The rules over a typed operation. Most are safe by construction (Convoy builds indexes
 * CONCURRENTLY, adds constraints NOT VALID, backfills in batches); what remains is what the author
 * chose: a drop, a rename, a type, a default.
 */
final class TypedChecks {
  private TypedChecks() {}

  static List<Finding> of(Revision rev, Operation op, int line) {
    List<Finding> out = new ArrayList<>();
    String what = op.describe();
    if (op instanceof CreateIndex ix) {
      if (!ix.concurrently() && !rev.isNew(ix.table())) {
        out.add(
            on(
                rev.finding(Rule.INDEX_NOT_CONCURRENT, line, what + " has concurrently: false"),
                ix.table()));
      }
      longName(rev, line, what, out, ix.name());
    } else if (op instanceof DropIndex d
        && !d.concurrently()
        && !rev.indexes().contains(LintCatalog.key(d.name()))) {
      out.add(rev.finding(Rule.DROP_INDEX_NOT_CONCURRENT, line, what + " has concurrently: false"));
    } else if (op instanceof DropColumn d) {
      out.add(on(rev.finding(Rule.DROP_COLUMN, line, what), d.table()));
    } else if (op instanceof DropTable d) {
      out.add(on(rev.finding(Rule.DROP_TABLE, line, what), d.table()));
    } else if (op instanceof RenameTable r) {
      out.add(on(rev.finding(Rule.VERSIONED_RENAME, line, what), r.table()));
      longName(rev, line, what, out, r.to());
    } else if (op instanceof RenameColumn r) {
      out.add(on(rev.finding(Rule.VERSIONED_RENAME, line, what), r.table()));
      longName(rev, line, what, out, r.to());
    } else if (op instanceof CreateTable t) {
      longName(rev, line, what, out, t.table());
      for (ColumnSpec c : t.columns()) {
        boolean soleKey =
            c.primaryKey()
                    && t.primaryKey().isEmpty()
                    && t.columns().stream().filter(ColumnSpec::primaryKey).count() == 1
                || t.primaryKey().equals(List.of(c.name()));
        for (Rule r : ColumnDefinition.of(c.type(), c.defaultExpr()).typeRules(soleKey)) {
          out.add(on(rev.finding(r, line, what + ": " + c.name() + " " + c.type()), t.table()));
        }
        longName(rev, line, what, out, c.name());
      }
    } else if (op instanceof AddColumn a) {
      addColumn(rev, a, line, out);
    } else if (op instanceof AlterColumn a && a.type() != null) {
      for (Rule r : ColumnDefinition.of(a.type(), null).typeRules(false)) {
        out.add(on(rev.finding(r, line, what + ": type " + a.type()), a.table()));
      }
    }
    return out;
  }

  private static void addColumn(Revision rev, AddColumn a, int line, List<Finding> out) {
    ColumnSpec c = a.column();
    ColumnDefinition d = ColumnDefinition.of(c.type(), c.defaultExpr());
    String what =
        a.describe()
            + " "
            + c.type()
            + (c.defaultExpr() == null ? "" : " DEFAULT " + c.defaultExpr());
    List<Rule> rules = new ArrayList<>(d.typeRules(c.primaryKey()));
    if (!rev.isNew(a.table())) {
      if (d.fillsEveryRow()) {
        rules.add(Rule.VOLATILE_DEFAULT);
      }
      if (d.storedGenerated()) {
        rules.add(Rule.GENERATED_COLUMN);
      }
      if (d.inlineConstraint() || c.primaryKey()) {
        rules.add(Rule.ADD_COLUMN_WITH_CONSTRAINT);
      }
    }
    for (Rule r : rules) {
      String note = r == Rule.VOLATILE_DEFAULT ? d.unknownDefaultNote() : "";
      out.add(on(rev.finding(r, line, what + note), a.table()));
    }
    longName(rev, line, a.describe(), out, c.name());
  }

  private static void longName(
      Revision rev, int line, String what, List<Finding> out, String name) {
    if (name != null && name.getBytes(StandardCharsets.UTF_8).length > 63) {
      out.add(rev.finding(Rule.IDENTIFIER_TOO_LONG, line, what + ": " + name));
    }
  }

  private static Finding on(Finding f, String table) {
    return f.on(LintCatalog.key(table));
  }
}
