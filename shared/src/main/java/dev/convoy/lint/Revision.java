package dev.convoy.lint;

import dev.convoy.migration.Migration;
import dev.convoy.ops.CreateIndex;
import dev.convoy.ops.CreateTable;
import dev.convoy.ops.Operation;
import dev.convoy.ops.RawSql;
import java.util.HashSet;
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
          Statements.createdIndex(s.tokens()).ifPresent(ix -> indexes.add(ix.name()));
        }
      }
    }
    return new Revision(m, Set.copyOf(tables), Set.copyOf(indexes));
  }

  boolean isNew(String table) {
    return table != null && tables.contains(LintCatalog.key(table));
  }

  Finding finding(Rule rule, int line, String what) {
    return new Finding(rule, migration.revision(), migration.file(), line, what);
  }
}
