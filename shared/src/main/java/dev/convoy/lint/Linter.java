package dev.convoy.lint;

import dev.convoy.migration.Migration;
import dev.convoy.ops.CreateIndex;
import dev.convoy.ops.CreateTable;
import dev.convoy.ops.DropColumn;
import dev.convoy.ops.DropTable;
import dev.convoy.ops.Operation;
import dev.convoy.ops.RawSql;
import dev.convoy.ops.RenameColumn;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Checks migrations against the {@link Rule}s. Typed operations are safe by construction except
 * where they destroy or rename; raw SQL is read statement by statement with a real tokenizer. Work
 * on a table created in the same revision is exempt from the locking rules: an empty new table has
 * no readers to block.
 */
public final class Linter {
  private Linter() {}

  public static List<Finding> lint(Collection<Migration> migrations) {
    return lint(migrations, LintCatalog.NONE);
  }

  /**
   * The findings of every migration, less the rules each says it breaks knowingly; with a {@code
   * catalog}, a finding on a table bigger than its threshold is raised one severity.
   */
  public static List<Finding> lint(Collection<Migration> migrations, LintCatalog catalog) {
    List<Finding> out = new ArrayList<>();
    for (Migration m : migrations) {
      List<Finding> own = new ArrayList<>(of(m));
      own.removeIf(f -> m.lintIgnore().contains(f.rule().id()));
      for (Finding f : own) {
        out.add(raise(f, catalog));
      }
    }
    return out;
  }

  /** The findings of one migration, less the rules it says it breaks knowingly. */
  public static List<Finding> lint(Migration m) {
    return lint(List.of(m));
  }

  /** Error-level findings not acknowledged by {@code allowed} (rule ids). */
  public static List<Finding> blocking(List<Finding> findings, Collection<String> allowed) {
    return findings.stream()
        .filter(f -> f.severity() == Severity.ERROR && !allowed.contains(f.rule().id()))
        .toList();
  }

  private static Finding raise(Finding f, LintCatalog catalog) {
    if (f.table() == null || !f.rule().scalesWithRows()) {
      return f;
    }
    long rows = catalog.rowsOf(f.table());
    if (rows <= catalog.bigTable()) {
      return f;
    }
    return f.raised(f.table() + " has about " + String.format("%,d", rows) + " rows");
  }

  private static List<Finding> of(Migration m) {
    Revision rev = Revision.of(m);
    List<Finding> out = new ArrayList<>();
    for (int i = 0; i < m.operations().size(); i++) {
      Operation op = m.operations().get(i);
      int line = m.line("operations[" + i + "]");
      if (op instanceof RawSql r) {
        int base = line > 0 ? line : m.line("upgrade");
        for (SqlStatement s : SqlStatement.split(r.upSql())) {
          int at = base > 0 ? base + s.line() - (line > 0 ? 1 : 0) : 0;
          out.addAll(new RawChecks(rev, r, s, at).findings());
        }
      } else {
        typed(rev, op, line, out);
      }
    }
    return out;
  }

  private static void typed(Revision rev, Operation op, int line, List<Finding> out) {
    if (op instanceof CreateIndex ix && !ix.concurrently() && !rev.isNew(ix.table())) {
      out.add(
          rev.finding(Rule.INDEX_NOT_CONCURRENT, line, op.describe() + " has concurrently: false")
              .on(LintCatalog.key(ix.table())));
    } else if (op instanceof DropColumn d) {
      out.add(rev.finding(Rule.DROP_COLUMN, line, op.describe()).on(LintCatalog.key(d.table())));
    } else if (op instanceof DropTable d) {
      out.add(rev.finding(Rule.DROP_TABLE, line, op.describe()).on(LintCatalog.key(d.table())));
    } else if (op instanceof RenameColumn r) {
      out.add(rev.finding(Rule.RENAME, line, op.describe()).on(LintCatalog.key(r.table())));
    } else if (op instanceof CreateTable) {
      return;
    }
  }
}
