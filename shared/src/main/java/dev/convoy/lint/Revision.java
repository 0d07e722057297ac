package dev.convoy.lint;

import dev.convoy.migration.Migration;
import dev.convoy.ops.CreateIndex;
import dev.convoy.ops.CreateTable;
import dev.convoy.ops.DropTable;
import dev.convoy.ops.Operation;
import dev.convoy.ops.RawSql;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One migration as the rules see it, going up or (for its {@code sql} operations' {@code down})
 * going down: which tables and indexes that direction creates itself (work on those blocks no
 * reader, as they are new and empty) and how to word a finding in it. Going down, what the upgrade
 * created is not new: a rollback runs long after, on tables that have filled since.
 */
record Revision(Migration migration, Set<String> tables, Set<String> indexes, boolean downgrade) {
  static Revision of(Migration m) {
    Set<String> tables = new HashSet<>();
    Set<String> indexes = new HashSet<>();
    for (Operation op : m.operations()) {
      if (op instanceof CreateTable t) {
        tables.add(LintCatalog.key(t.table()));
      } else if (op instanceof CreateIndex ix && ix.name() != null) {
        indexes.add(LintCatalog.key(ix.name()));
      } else if (op instanceof RawSql r) {
        created(r.upSql(), tables, indexes);
      }
    }
    return new Revision(m, Set.copyOf(tables), Set.copyOf(indexes), false);
  }

  /** The same migration going down: only its {@code sql} operations' down SQL is read. */
  Revision down() {
    Set<String> tables = new HashSet<>();
    Set<String> indexes = new HashSet<>();
    for (Operation op : migration.operations()) {
      if (op instanceof DropTable d) {
        tables.add(LintCatalog.key(d.table()));
      } else if (op instanceof RawSql r) {
        created(r.downSql(), tables, indexes);
        for (SqlStatement s : SqlStatement.split(r.upSql())) {
          if (s.startsWith("DROP", "TABLE")) {
            Tokens t = s.tokens();
            for (Tokens part : t.from(t.is(2, "IF", "EXISTS") ? 4 : 2).splitCommas()) {
              Tokens.Name n = part.name(0);
              if (n != null) {
                tables.add(n.name());
              }
            }
          }
        }
      }
    }
    return new Revision(migration, Set.copyOf(tables), Set.copyOf(indexes), true);
  }

  private static void created(String sql, Set<String> tables, Set<String> indexes) {
    for (SqlStatement s : SqlStatement.split(sql)) {
      Statements.createdTable(s.tokens()).ifPresent(tables::add);
      Statements.createdIndex(s.tokens())
          .filter(ix -> ix.name() != null)
          .ifPresent(ix -> indexes.add(ix.name()));
    }
  }

  /** A statement of a {@code sql} operation and its line in the file (0 when not known). */
  record Located(RawSql op, SqlStatement statement, int line) {}

  /** Every raw statement of the revision's {@code sql} operations in this direction, in order. */
  List<Located> statements() {
    List<Located> out = new ArrayList<>();
    for (int i = 0; i < migration.operations().size(); i++) {
      if (migration.operations().get(i) instanceof RawSql r) {
        String field = "operations[" + i + "]";
        String sql = downgrade ? r.downSql() : r.upSql();
        for (SqlStatement s : SqlStatement.split(sql)) {
          int line = migration.line(field + (downgrade ? ".down" : ".up"), sql, s.start());
          out.add(new Located(r, s, line > 0 ? line : migration.line(field)));
        }
      }
    }
    return out;
  }

  boolean isNew(String table) {
    return table != null && tables.contains(LintCatalog.key(table));
  }

  Finding finding(Rule rule, int line, String what) {
    Finding f = new Finding(rule, migration.revision(), migration.file(), line, what);
    return downgrade ? f.inDowngrade() : f;
  }
}
