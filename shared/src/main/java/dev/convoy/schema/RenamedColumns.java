package dev.convoy.schema;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The old schema with the confirmed column renames applied, so the rest of the diff compares a
 * renamed column with its new self (and the keys, constraints and indexes naming it) and finds only
 * what else changed. A rename that does not fit the two schemas is refused.
 */
final class RenamedColumns {
  private RenamedColumns() {}

  static Schema apply(Schema from, Schema to, Renames renames) {
    if (renames.columns().isEmpty()) {
      return from;
    }
    Map<String, Table> tables = new HashMap<>(from.tables());
    renames
        .columns()
        .forEach(
            (table, map) -> {
              Table old = from.tables().get(table);
              Table now = to.tables().get(table);
              map.forEach(
                  (o, n) -> {
                    String r = table + "." + o + ":" + n;
                    if (old == null || now == null) {
                      throw SchemaDiff.badRename(r, "table " + table + " is not in both schemas");
                    }
                    if (!old.columns().containsKey(o) || now.columns().containsKey(o)) {
                      throw SchemaDiff.badRename(
                          r,
                          "column "
                              + o
                              + " must be in "
                              + table
                              + " now and gone from the declared schema");
                    }
                    if (old.columns().containsKey(n) || !now.columns().containsKey(n)) {
                      throw SchemaDiff.badRename(
                          r, "column " + n + " must be new in the declared " + table);
                    }
                  });
            });
    for (Map.Entry<String, Table> e : from.tables().entrySet()) {
      Map<String, String> own = renames.columns().getOrDefault(e.getKey(), Map.of());
      tables.put(e.getKey(), renamed(e.getKey(), e.getValue(), own, renames));
    }
    return new Schema(tables, from.enums(), from.sequences());
  }

  private static Table renamed(String name, Table t, Map<String, String> own, Renames all) {
    Map<String, Column> columns = new HashMap<>();
    t.columns()
        .forEach(
            (n, c) -> {
              String to = own.getOrDefault(n, n);
              columns.put(
                  to,
                  new Column(
                      to,
                      c.type(),
                      c.notNull(),
                      c.defaultExpr(),
                      c.identity(),
                      c.generated(),
                      c.collation(),
                      c.comment()));
            });
    Table.PrimaryKey pk =
        t.primaryKey() == null
            ? null
            : new Table.PrimaryKey(t.primaryKey().name(), cols(t.primaryKey().columns(), own));
    Map<String, Table.Unique> uniques = new HashMap<>();
    t.uniques()
        .forEach(
            (n, u) ->
                uniques.put(n, new Table.Unique(n, cols(u.columns(), own), u.nullsNotDistinct())));
    Map<String, Table.ForeignKey> fks = new HashMap<>();
    t.foreignKeys()
        .forEach(
            (n, f) ->
                fks.put(
                    n,
                    new Table.ForeignKey(
                        n,
                        cols(f.columns(), own),
                        f.refTable(),
                        cols(f.refColumns(), all.columns().getOrDefault(f.refTable(), Map.of())),
                        f.onDelete(),
                        f.onUpdate(),
                        f.deferrable(),
                        f.initiallyDeferred())));
    Map<String, Index> indexes = new HashMap<>();
    t.indexes()
        .forEach(
            (n, i) ->
                indexes.put(
                    n,
                    new Index(
                        n,
                        i.table(),
                        i.unique(),
                        i.method(),
                        i.keys() == null ? null : cols(i.keys(), own),
                        i.where(),
                        i.definition(),
                        i.comment())));
    return new Table(name, columns, pk, uniques, fks, t.checks(), indexes, t.comment());
  }

  private static List<String> cols(List<String> columns, Map<String, String> renames) {
    return columns.stream().map(c -> renames.getOrDefault(c, c)).toList();
  }
}
