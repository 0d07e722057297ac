package dev.convoy.testkit;

import dev.convoy.testkit.SchemaModel.Col;

/**
 * The operations {@link ChainCorpus} writes, one per kind: each reads the model, returns the
 * operation's YAML and updates the model, or returns null when the schema has nothing it applies
 * to.
 */
final class ChainOps {
  private ChainOps() {}

  private static String op(String kind, String table) {
    return "  - op: " + kind + "\n    table: " + table + "\n";
  }

  static String addNullable(SchemaModel m) {
    String t = m.table();
    String c = m.fresh("note");
    m.tables.get(t).put(c, new Col("text", false, true));
    return op("add_column", t) + "    column: {name: " + c + ", type: text}\n";
  }

  static String addWithDefault(SchemaModel m) {
    String t = m.table();
    String c = m.fresh("rank");
    m.tables.get(t).put(c, new Col("integer", true, false));
    return op("add_column", t)
        + "    column: {name: "
        + c
        + ", type: integer, nullable: false, default: '7'}\n";
  }

  static String addBackfilled(SchemaModel m) {
    String t = m.table();
    String from = m.column(t, Col::text);
    String c = m.fresh("slug");
    String expr = from == null ? "'s' || id" : "coalesce(" + from + ", '') || '-' || id";
    m.tables.get(t).put(c, new Col("text", true, false));
    return op("add_column", t)
        + "    column: {name: "
        + c
        + ", type: text, nullable: false}\n"
        + "    backfill: \""
        + expr
        + "\"\n";
  }

  static String dropColumn(SchemaModel m) {
    String t = m.table();
    String c = m.column(t, col -> true);
    if (c == null) {
      return null;
    }
    String type = m.col(t, c).type;
    m.dropColumn(t, c);
    return op("drop_column", t) + "    column: {name: " + c + ", type: " + type + "}\n";
  }

  static String renameColumn(SchemaModel m) {
    String t = m.table();
    String c = m.column(t, col -> true);
    if (c == null) {
      return null;
    }
    String to = m.fresh(c.replaceAll("_r\\d+$", "") + "_r");
    m.renameColumn(t, c, to);
    return op("rename_column", t) + "    from: " + c + "\n    to: " + to + "\n";
  }

  static String alterType(SchemaModel m) {
    String t = m.table();
    String c = m.column(t, col -> col.integer() || col.text());
    if (c == null) {
      return null;
    }
    Col old = m.col(t, c);
    String type = old.integer() ? "bigint" : "varchar(400)";
    Col now = new Col(type, old.notNull, old.hasNulls);
    m.tables.get(t).put(c, now);
    return op("alter_column", t)
        + "    column: "
        + c
        + "\n    type: "
        + type
        + "\n    from_type: "
        + old.type
        + "\n";
  }

  static String alterDefault(SchemaModel m) {
    String t = m.table();
    String c = m.column(t, col -> col.integer() || col.text());
    if (c == null) {
      return null;
    }
    String def = m.col(t, c).integer() ? "'0'" : "'''n/a'''";
    return op("alter_column", t) + "    column: " + c + "\n    default: " + def + "\n";
  }

  static String alterNotNull(SchemaModel m) {
    String t =
        m.pick(
            m.tables.keySet().stream()
                .filter(x -> m.column(x, col -> !col.notNull && !col.hasNulls) != null)
                .toList());
    if (t == null) {
      return null;
    }
    String c = m.column(t, col -> !col.notNull && !col.hasNulls);
    m.col(t, c).notNull = true;
    return op("alter_column", t) + "    column: " + c + "\n    nullable: false\n";
  }

  static String setNotNull(SchemaModel m) {
    String t = m.table();
    String c = m.column(t, col -> !col.notNull && (col.integer() || col.text()));
    if (c == null) {
      return null;
    }
    Col col = m.col(t, c);
    col.notNull = true;
    col.hasNulls = false;
    return op("set_not_null", t)
        + "    column: "
        + c
        + "\n    backfill: \""
        + (col.integer() ? "0" : "'unknown'")
        + "\"\n";
  }

  static String dropNotNull(SchemaModel m) {
    String t = m.table();
    String c = m.column(t, col -> col.notNull);
    if (c == null) {
      return null;
    }
    m.col(t, c).notNull = false;
    return op("drop_not_null", t) + "    column: " + c + "\n";
  }

  static String backfill(SchemaModel m) {
    String t = m.table();
    String c = m.column(t, col -> col.hasNulls && (col.integer() || col.text()));
    if (c == null) {
      return null;
    }
    Col col = m.col(t, c);
    col.hasNulls = false;
    return op("backfill", t)
        + "    set: {"
        + c
        + ": \""
        + (col.integer() ? "42" : "'filled'")
        + "\"}\n"
        + "    where: \""
        + c
        + " IS NULL\"\n";
  }

  static String createIndex(SchemaModel m) {
    String t = m.table();
    String c = m.column(t, col -> true);
    if (c == null) {
      return null;
    }
    String name = m.fresh("ix_" + t + "_");
    m.indexes.add(new SchemaModel.Index(name, t, c));
    m.col(t, c).used = true;
    return op("create_index", t) + "    name: " + name + "\n    columns: [" + c + "]\n";
  }

  static String dropIndex(SchemaModel m) {
    SchemaModel.Index i = m.pick(m.indexes);
    if (i == null) {
      return null;
    }
    m.indexes.remove(i);
    return "  - op: drop_index\n    name: "
        + i.name()
        + "\n    table: "
        + i.table()
        + "\n    columns: ["
        + i.column()
        + "]\n";
  }

  static String addForeignKey(SchemaModel m) {
    if (m.bookFk) {
      return null;
    }
    m.bookFk = true;
    return op("add_foreign_key", "book")
        + "    name: "
        + m.fresh("fk_book_author_")
        + "\n    columns: [author_id]\n"
        + "    references: {table: author, columns: [id]}\n";
  }

  static String addCheck(SchemaModel m) {
    String t = m.table();
    String c = m.column(t, Col::integer);
    if (c == null) {
      return null;
    }
    m.col(t, c).used = true;
    return op("add_check", t)
        + "    name: "
        + m.fresh("ck_" + t + "_")
        + "\n"
        + "    check: \""
        + c
        + " IS NULL OR "
        + c
        + " >= 0\"\n";
  }

  static String addUnique(SchemaModel m) {
    if (m.isbnUnique || !m.tables.get("book").containsKey("isbn")) {
      return null;
    }
    m.isbnUnique = true;
    m.col("book", "isbn").used = true;
    return op("add_unique", "book")
        + "    name: "
        + m.fresh("uq_book_isbn_")
        + "\n"
        + "    columns: [isbn]\n";
  }

  static String createTable(SchemaModel m) {
    String t = m.fresh("t");
    java.util.Map<String, Col> cols = new java.util.LinkedHashMap<>();
    cols.put("id", SchemaModel.key());
    cols.put("v", new Col("text", false, true));
    m.tables.put(t, cols);
    m.createdTables.add(t);
    return op("create_table", t)
        + "    columns:\n"
        + "      - {name: id, type: bigint GENERATED BY DEFAULT AS IDENTITY, primary_key: true}\n"
        + "      - {name: v, type: text}\n";
  }

  static String dropTable(SchemaModel m) {
    // Any table but author, which book may reference.
    String t = m.pick(m.tables.keySet().stream().filter(x -> !x.equals("author")).toList());
    if (t == null) {
      return null;
    }
    StringBuilder cols = new StringBuilder();
    m.tables
        .get(t)
        .forEach(
            (n, c) ->
                cols.append("      - {name: ")
                    .append(n)
                    .append(", type: ")
                    .append(c.type)
                    .append(c.notNull ? ", nullable: false" : "")
                    .append("}\n"));
    m.tables.remove(t);
    m.createdTables.remove(t);
    if (t.equals("book")) {
      m.bookFk = true; // gone: no foreign key from it any more
      m.isbnUnique = true;
    }
    m.indexes.removeIf(i -> i.table().equals(t));
    return op("drop_table", t) + "    columns:\n" + cols;
  }

  static String sql(SchemaModel m) {
    String t = m.table();
    String c = m.column(t, col -> true);
    if (c == null) {
      return null;
    }
    return "  - op: sql\n    up: \"COMMENT ON COLUMN "
        + t
        + "."
        + c
        + " IS 'noted'\"\n"
        + "    down: \"COMMENT ON COLUMN "
        + t
        + "."
        + c
        + " IS NULL\"\n";
  }
}
