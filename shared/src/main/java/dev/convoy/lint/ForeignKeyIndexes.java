package dev.convoy.lint;

import dev.convoy.migration.Migration;
import dev.convoy.ops.AddColumn;
import dev.convoy.ops.AddForeignKey;
import dev.convoy.ops.AddUnique;
import dev.convoy.ops.ColumnSpec;
import dev.convoy.ops.CreateIndex;
import dev.convoy.ops.CreateTable;
import dev.convoy.ops.Operation;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Foreign keys whose referencing columns no index starts with. What counts is every index the
 * migration set creates (in any revision: an index added later still serves) and, with a database,
 * the catalog's. A key on a column the set adds is known too: no index made before the column can
 * hold it. A key on an existing table's existing columns, with no catalog to ask, is left alone:
 * its indexes are not known.
 */
final class ForeignKeyIndexes {
  private record Key(Revision rev, int line, String table, List<String> columns, String what) {}

  private final Map<String, List<List<String>>> indexes = new HashMap<>();
  private final Set<String> created = new HashSet<>();
  private final Set<List<String>> addedColumns = new HashSet<>();
  private final List<Key> keys = new ArrayList<>();

  /** The findings, by revision. */
  static Map<String, List<Finding>> check(Collection<Migration> migrations, LintCatalog catalog) {
    ForeignKeyIndexes f = new ForeignKeyIndexes();
    for (Migration m : migrations) {
      f.read(Revision.of(m));
    }
    Map<String, List<Finding>> out = new LinkedHashMap<>();
    for (Key k : f.keys) {
      boolean known =
          f.created.contains(k.table)
              || catalog.knows(k.table)
              || k.columns.stream().anyMatch(c -> f.addedColumns.contains(List.of(k.table, c)));
      List<List<String>> all = new ArrayList<>(f.indexes.getOrDefault(k.table, List.of()));
      all.addAll(catalog.indexesOf(k.table));
      if (known && all.stream().noneMatch(ix -> covers(ix, k.columns))) {
        out.computeIfAbsent(k.rev.migration().revision(), r -> new ArrayList<>())
            .add(
                k.rev
                    .finding(
                        Rule.FOREIGN_KEY_WITHOUT_INDEX,
                        k.line,
                        "foreign key "
                            + k.table
                            + " ("
                            + String.join(", ", k.columns)
                            + ") in "
                            + k.what)
                    .on(k.table));
      }
    }
    return out;
  }

  /** True when the index's leading columns are the key's columns, in any order. */
  static boolean covers(List<String> index, List<String> key) {
    if (key.isEmpty() || index.size() < key.size()) {
      return false;
    }
    return Set.copyOf(key).equals(new HashSet<>(index.subList(0, key.size())));
  }

  private void read(Revision rev) {
    Migration m = rev.migration();
    for (int i = 0; i < m.operations().size(); i++) {
      Operation op = m.operations().get(i);
      int line = m.line("operations[" + i + "]");
      if (op instanceof CreateTable t) {
        String table = LintCatalog.key(t.table());
        created.add(table);
        List<String> pk = new ArrayList<>(t.primaryKey());
        for (ColumnSpec c : t.columns()) {
          column(rev, line, table, c, op.describe());
          if (c.primaryKey()) {
            pk.add(c.name());
          }
        }
        index(table, pk);
      } else if (op instanceof AddColumn a) {
        addedColumns.add(List.of(LintCatalog.key(a.table()), a.column().name()));
        column(rev, line, LintCatalog.key(a.table()), a.column(), op.describe());
      } else if (op instanceof CreateIndex ix) {
        index(LintCatalog.key(ix.table()), ix.columns());
      } else if (op instanceof AddUnique u) {
        index(LintCatalog.key(u.table()), u.columns());
      } else if (op instanceof AddForeignKey fk) {
        key(rev, line, LintCatalog.key(fk.table()), fk.columns(), op.describe());
      }
    }
    for (Revision.Located l : rev.statements()) {
      Tokens t = l.statement().tokens();
      String what = l.statement().shown();
      Statements.createdIndex(t).ifPresent(ix -> index(ix.table(), ix.columns()));
      Statements.createTable(t)
          .ifPresent(
              c -> {
                created.add(c.table());
                for (Tokens e : c.elements()) {
                  element(rev, l.line(), c.table(), e, what);
                }
              });
      Statements.alterTable(t)
          .ifPresent(
              a -> {
                for (Tokens c : a.actions()) {
                  if (RawChecks.isAddColumn(c)) {
                    Tokens def = c.from(c.is(1, "COLUMN") ? 2 : 1);
                    Tokens.Name col = def.name(def.is(0, "IF", "NOT", "EXISTS") ? 3 : 0);
                    if (col != null) {
                      addedColumns.add(List.of(a.table(), col.name()));
                    }
                  }
                  if (c.is(0, "ADD")) {
                    element(rev, l.line(), a.table(), c.from(c.is(1, "COLUMN") ? 2 : 1), what);
                  }
                }
              });
    }
  }

  /** A column definition or table constraint, as CREATE TABLE and ALTER TABLE ADD write them. */
  private void element(Revision rev, int line, String table, Tokens e, String what) {
    if (RawChecks.isColumn(e) && !e.is(0, "IF")) {
      String col = e.get(0).name();
      if (e.has("REFERENCES")) {
        key(rev, line, table, List.of(col), what);
      }
      if (e.hasAny("UNIQUE") || e.has("PRIMARY", "KEY")) {
        index(table, List.of(col));
      }
      return;
    }
    if (e.is(0, "IF", "NOT", "EXISTS")) {
      element(rev, line, table, e.from(3), what);
      return;
    }
    int k = e.is(0, "CONSTRAINT") ? 2 : 0;
    if (e.is(k, "FOREIGN", "KEY")) {
      key(rev, line, table, e.columnList(k + 2), what);
    } else if (e.is(k, "PRIMARY", "KEY")) {
      index(table, e.columnList(k + 2));
    } else if (e.is(k, "UNIQUE") && !e.has("USING", "INDEX")) {
      index(table, e.columnList(k + 1));
    }
  }

  private void column(Revision rev, int line, String table, ColumnSpec c, String what) {
    ColumnDefinition d = ColumnDefinition.of(c.type(), null);
    if (d.def().has("REFERENCES")) {
      key(rev, line, table, List.of(c.name()), what);
    }
    if (d.def().has("UNIQUE") || d.primaryKey()) {
      index(table, List.of(c.name()));
    }
  }

  private void index(String table, List<String> columns) {
    List<String> cols = new ArrayList<>();
    for (String c : columns) {
      if (c == null) {
        break;
      }
      cols.add(c);
    }
    if (!cols.isEmpty()) {
      indexes.computeIfAbsent(table, t -> new ArrayList<>()).add(cols);
    }
  }

  private void key(Revision rev, int line, String table, List<String> columns, String what) {
    if (!columns.isEmpty() && columns.stream().noneMatch(java.util.Objects::isNull)) {
      keys.add(new Key(rev, line, table, List.copyOf(columns), what));
    }
  }
}
