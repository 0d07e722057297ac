package dev.convoy.lint;

import dev.convoy.migration.Migration;
import dev.convoy.ops.CreateIndex;
import dev.convoy.ops.CreateTable;
import dev.convoy.ops.Operation;
import dev.convoy.ops.RawSql;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One migration as the rules see it: which tables and indexes it creates itself (work on those
 * blocks no reader, as they are new and empty) and how to word a finding in it.
 */
record Revision(Migration migration, Set<String> tables, Set<String> indexes) {
  static Revision of(Migration m) {
    Set<String> tables = new HashSet<>();
    Set<String> indexes = new HashSet<>();
    for (Operation op : m.operations()) {
      if (op instanceof CreateTable t) {
        tables.add(LintCatalog.key(t.table()));
      } else if (op instanceof CreateIndex ix && ix.name() != null) {
        indexes.add(LintCatalog.key(ix.name()));
      } else if (op instanceof RawSql r) {
        for (SqlStatement s : SqlStatement.split(r.upSql())) {
          Statements.createdTable(s.tokens()).ifPresent(tables::add);
          Statements.createdIndex(s.tokens())
              .filter(ix -> ix.name() != null)
              .ifPresent(ix -> indexes.add(ix.name()));
        }
      }
    }
    return new Revision(m, Set.copyOf(tables), Set.copyOf(indexes));
  }

  /** A statement of a {@code sql} operation and its line in the file (0 when not known). */
  record Located(RawSql op, SqlStatement statement, int line) {}

  /** Every raw statement of the revision's {@code sql} operations, in order. */
  List<Located> statements() {
    List<Located> out = new ArrayList<>();
    for (int i = 0; i < migration.operations().size(); i++) {
      if (migration.operations().get(i) instanceof RawSql r) {
        int line = migration.line("operations[" + i + "]");
        int base = line > 0 ? line : migration.line("upgrade");
        for (SqlStatement s : SqlStatement.split(r.upSql())) {
          out.add(new Located(r, s, base > 0 ? base + s.line() - (line > 0 ? 1 : 0) : 0));
        }
      }
    }
    return out;
  }

  boolean isNew(String table) {
    return table != null && tables.contains(LintCatalog.key(table));
  }

  Finding finding(Rule rule, int line, String what) {
    return new Finding(rule, migration.revision(), migration.file(), line, what);
  }
}
