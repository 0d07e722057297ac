package dev.convoy.ops;

/** Idempotent forms of statements PostgreSQL has no IF [NOT] EXISTS for. */
final class Guards {
  private Guards() {}

  /** Runs {@code ddl} only when {@code table} has no constraint named {@code name}. */
  static String ifNoConstraint(String table, String name, String ddl) {
    return "DO "
        + Sql.dollarQuoted(
            "BEGIN IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = "
                + Sql.literal(name)
                + " AND conrelid = to_regclass("
                + Sql.literal(Sql.name(table))
                + ")) THEN "
                + ddl
                + "; END IF; END");
  }

  /** Runs {@code ddl} only when {@code table} has a column named {@code column}. */
  static String ifColumn(String table, String column, String ddl) {
    String schema = Sql.schemaOf(table);
    return "DO "
        + Sql.dollarQuoted(
            "BEGIN IF EXISTS (SELECT 1 FROM information_schema.columns WHERE"
                + " table_schema = "
                + (schema == null ? "current_schema()" : Sql.literal(schema))
                + " AND table_name = "
                + Sql.literal(Sql.simpleName(table))
                + " AND column_name = "
                + Sql.literal(column)
                + ") THEN "
                + ddl
                + "; END IF; END");
  }

  /** A constraint drop that tolerates the table being gone. */
  static String dropConstraint(String table, String name) {
    return "ALTER TABLE IF EXISTS "
        + Sql.name(table)
        + " DROP CONSTRAINT IF EXISTS "
        + Sql.ident(name);
  }
}
