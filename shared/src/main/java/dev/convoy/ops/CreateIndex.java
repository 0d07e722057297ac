package dev.convoy.ops;

import java.util.List;

/**
 * {@code create_index}: CONCURRENTLY by default, which runs outside a transaction and is guarded
 * against an invalid index left by an interrupted build (dropped and rebuilt).
 */
public record CreateIndex(
    String table,
    String name,
    List<String> columns,
    boolean unique,
    boolean concurrently,
    String where,
    String using)
    implements Operation {
  public CreateIndex {
    columns = List.copyOf(columns);
  }

  /** The default index name: ix_/uq_ + table + columns, cut to PostgreSQL's 63 bytes. */
  public static String defaultName(String table, List<String> columns, boolean unique) {
    String n = (unique ? "uq_" : "ix_") + Sql.simpleName(table) + "_" + String.join("_", columns);
    return n.length() > 63 ? n.substring(0, 63) : n;
  }

  @Override
  public String kind() {
    return "create_index";
  }

  @Override
  public String describe() {
    return "create_index " + name + " on " + table;
  }

  @Override
  public List<Statement> up(boolean guarded) {
    String sql =
        "CREATE "
            + (unique ? "UNIQUE " : "")
            + "INDEX "
            + (concurrently ? "CONCURRENTLY " : "")
            + (guarded || concurrently ? "IF NOT EXISTS " : "")
            + Sql.ident(name)
            + " ON "
            + Sql.name(table)
            + (using == null ? "" : " USING " + using)
            + " ("
            + Sql.idents(columns)
            + ")"
            + (where == null ? "" : " WHERE " + where);
    return List.of(new Statement(sql, !concurrently, concurrently ? qualifiedName() : null));
  }

  @Override
  public List<Statement> down(boolean guarded) {
    return List.of(DropIndex.dropSql(qualifiedName(), concurrently, guarded));
  }

  /** Indexes live in their table's schema. */
  String qualifiedName() {
    String schema = Sql.schemaOf(table);
    return schema == null ? name : schema + "." + name;
  }
}
