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
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks migrations against the {@link Rule}s. Typed operations are safe by construction except
 * where they destroy or rename; raw SQL is read statement by statement. Work on a table created in
 * the same revision is exempt: an empty new table has no readers to block.
 */
public final class Linter {
  private static final Pattern CREATE_TABLE =
      Pattern.compile("^CREATE (?:UNLOGGED )?TABLE (?:IF NOT EXISTS )?(\\S+?)\\s*\\(");
  private static final Pattern CREATE_INDEX =
      Pattern.compile("^CREATE (?:UNIQUE )?INDEX (CONCURRENTLY )?.*? ON (?:ONLY )?(\\S+)");
  private static final Pattern ALTER_TABLE =
      Pattern.compile("^ALTER TABLE (?:IF EXISTS )?(?:ONLY )?(\\S+) (.*)$");

  private Linter() {}

  public static List<Finding> lint(Collection<Migration> migrations) {
    List<Finding> out = new ArrayList<>();
    for (Migration m : migrations) {
      out.addAll(lint(m));
    }
    return out;
  }

  /** The findings of one migration, less the rules it says it breaks knowingly. */
  public static List<Finding> lint(Migration m) {
    Set<String> created = new HashSet<>();
    for (Operation op : m.operations()) {
      if (op instanceof CreateTable t) {
        created.add(norm(t.table()));
      } else if (op instanceof RawSql r) {
        for (SqlText.Stmt s : SqlText.statements(r.upSql())) {
          Matcher c = CREATE_TABLE.matcher(s.text());
          if (c.find()) {
            created.add(norm(c.group(1)));
          }
        }
      }
    }
    List<Finding> out = new ArrayList<>();
    for (int i = 0; i < m.operations().size(); i++) {
      Operation op = m.operations().get(i);
      int line = m.line("operations[" + i + "]");
      if (op instanceof CreateIndex ix
          && !ix.concurrently()
          && !created.contains(norm(ix.table()))) {
        out.add(
            finding(
                m, Rule.INDEX_NOT_CONCURRENT, line, op.describe() + " has concurrently: false"));
      } else if (op instanceof DropColumn) {
        out.add(finding(m, Rule.DROP_COLUMN, line, op.describe()));
      } else if (op instanceof DropTable) {
        out.add(finding(m, Rule.DROP_TABLE, line, op.describe()));
      } else if (op instanceof RenameColumn) {
        out.add(finding(m, Rule.RENAME, line, op.describe()));
      } else if (op instanceof RawSql r) {
        int base = line > 0 ? line : m.line("upgrade");
        for (SqlText.Stmt s : SqlText.statements(r.upSql())) {
          raw(m, r, s, base > 0 ? base + s.line() - (line > 0 ? 1 : 0) : 0, created, out);
        }
      }
    }
    out.removeIf(f -> m.lintIgnore().contains(f.rule().id()));
    return out;
  }

  /** Error-level findings not acknowledged by {@code allowed} (rule ids). */
  public static List<Finding> blocking(List<Finding> findings, Collection<String> allowed) {
    return findings.stream()
        .filter(f -> f.rule().severity() == Severity.ERROR && !allowed.contains(f.rule().id()))
        .toList();
  }

  private static void raw(
      Migration m, RawSql op, SqlText.Stmt s, int line, Set<String> created, List<Finding> out) {
    String t = s.text();
    String o = s.original();
    String shown = o.length() > 80 ? o.substring(0, 77) + "..." : o;
    if (t.contains("CONCURRENTLY") && op.transactional() && m.transactional()) {
      out.add(finding(m, Rule.CONCURRENTLY_IN_TRANSACTION, line, shown));
    }
    Matcher ix = CREATE_INDEX.matcher(t);
    if (ix.find() && ix.group(1) == null && !created.contains(norm(ix.group(2)))) {
      out.add(finding(m, Rule.INDEX_NOT_CONCURRENT, line, shown));
    }
    if (t.startsWith("VACUUM") && t.contains("FULL") || t.startsWith("CLUSTER")) {
      out.add(finding(m, Rule.VACUUM_FULL, line, shown));
    }
    if (t.startsWith("DROP TABLE")) {
      out.add(finding(m, Rule.DROP_TABLE, line, shown));
    }
    Matcher alter = ALTER_TABLE.matcher(t);
    if (!alter.find()) {
      return;
    }
    boolean isNew = created.contains(norm(alter.group(1)));
    String rest = alter.group(2);
    for (String clause : rest.split(",(?![^(]*\\))")) {
      String c = clause.strip();
      if (c.startsWith("RENAME")) {
        out.add(finding(m, Rule.RENAME, line, shown));
      } else if (c.startsWith("DROP COLUMN")) {
        out.add(finding(m, Rule.DROP_COLUMN, line, shown));
      } else if (isNew) {
        continue;
      } else if (c.matches("ADD (COLUMN )?(IF NOT EXISTS )?\\S+ .*NOT NULL.*")
          && !c.contains("DEFAULT")
          && !c.matches("ADD (CONSTRAINT \\S+ )?(CHECK|FOREIGN KEY|UNIQUE|PRIMARY KEY).*")) {
        out.add(finding(m, Rule.ADD_COLUMN_NOT_NULL, line, shown));
      } else if (c.matches("ALTER (COLUMN )?\\S+ SET NOT NULL")) {
        out.add(finding(m, Rule.SET_NOT_NULL, line, shown));
      } else if (c.matches("ALTER (COLUMN )?\\S+ (SET DATA )?TYPE .*")) {
        out.add(finding(m, Rule.ALTER_TYPE, line, shown));
      } else if (c.matches("ADD (CONSTRAINT \\S+ )?(CHECK|FOREIGN KEY).*")
          && !c.contains("NOT VALID")) {
        out.add(finding(m, Rule.CONSTRAINT_NOT_VALID, line, shown));
      } else if (c.matches("ADD (CONSTRAINT \\S+ )?(UNIQUE|PRIMARY KEY).*")
          && !c.contains("USING INDEX")) {
        out.add(finding(m, Rule.UNIQUE_WITHOUT_INDEX, line, shown));
      }
    }
  }

  private static Finding finding(Migration m, Rule rule, int line, String what) {
    return new Finding(rule, m.revision(), m.file(), line, what);
  }

  /** A table name as the rules compare it: unquoted, upper case, without its schema. */
  private static String norm(String name) {
    String n = name.replace("\"", "").toUpperCase(Locale.ROOT);
    int dot = n.lastIndexOf('.');
    return dot >= 0 ? n.substring(dot + 1) : n;
  }
}
