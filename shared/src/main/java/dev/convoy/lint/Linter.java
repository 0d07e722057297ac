package dev.convoy.lint;

import dev.convoy.migration.Migration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Checks migrations against the {@link Rule}s. Typed operations are safe by construction except
 * where they destroy or rename, or where a type or default is risky; raw SQL is read statement by
 * statement with a real tokenizer. Work on a table created in the same revision is exempt from the
 * locking rules: an empty new table has no readers to block.
 */
public final class Linter {
  private Linter() {}

  public static List<Finding> lint(Collection<Migration> migrations) {
    return lint(migrations, LintCatalog.NONE);
  }

  /**
   * The findings of every migration, less the rules each says it breaks knowingly; with a {@code
   * catalog}, a finding on a table bigger than its threshold is raised one severity and says so.
   */
  public static List<Finding> lint(Collection<Migration> migrations, LintCatalog catalog) {
    Map<String, List<Finding>> keys = ForeignKeyIndexes.check(migrations, catalog);
    List<Finding> out = new ArrayList<>();
    for (Migration m : migrations) {
      List<Finding> own = new ArrayList<>(of(Revision.of(m)));
      own.addAll(keys.getOrDefault(m.revision(), List.of()));
      own.sort(Comparator.comparingInt(Finding::line));
      own.removeIf(f -> ignored(m, f.rule()));
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

  /**
   * True when the migration acknowledges {@code rule}. {@code rename} also covers table renames,
   * which it named before {@code rename-table} had its own rule.
   */
  private static boolean ignored(Migration m, Rule rule) {
    return m.lintIgnore().contains(rule.id())
        || rule == Rule.RENAME_TABLE && m.lintIgnore().contains(Rule.RENAME.id());
  }

  private static Finding raise(Finding f, LintCatalog catalog) {
    if (f.table() == null || !f.rule().scalesWithRows()) {
      return f;
    }
    long rows = catalog.rowsOf(f.table());
    if (rows <= catalog.bigTable()) {
      return f;
    }
    return f.raised(
        "the catalog estimates " + f.table() + " at " + String.format("%,d", rows) + " rows");
  }

  private static List<Finding> of(Revision rev) {
    Migration m = rev.migration();
    List<Finding> out = new ArrayList<>();
    for (int i = 0; i < m.operations().size(); i++) {
      out.addAll(TypedChecks.of(rev, m.operations().get(i), m.line("operations[" + i + "]")));
    }
    for (Revision r : List.of(rev, rev.down())) {
      NotNullProofs proofs = new NotNullProofs();
      for (Revision.Located l : r.statements()) {
        out.addAll(new RawChecks(r, l.op(), l.statement(), l.line(), proofs).findings());
        proofs.read(l.statement().tokens());
      }
    }
    return out;
  }
}
