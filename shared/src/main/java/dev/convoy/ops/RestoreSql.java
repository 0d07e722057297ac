package dev.convoy.ops;

/**
 * The SQL that ends a held copy ({@link Hold}): brought back by a downgrade inside the window
 * (renamed back, NOT NULL re-proved without a long lock, indexes and constraints rebuilt
 * concurrently, the row forgotten last), or dropped for good by a purge or an expired window. Every
 * step is idempotent and tolerates what is already done, so a rerun after a crash finishes it.
 */
final class RestoreSql {
  private RestoreSql() {}

  /**
   * Ends a held column for good (an expired window, or {@code convoy purge}): drops it and its
   * trigger and marks its row purged. Idempotent. PostgreSQL frees a dropped column's space only as
   * rows are rewritten (updates, VACUUM FULL), not at once.
   */
  public static String discardColumn(Hold h, String table, String held) {
    return HeldSql.dropKeepCurrent(table, held)
        + ";\nALTER TABLE "
        + Sql.name(table)
        + " DROP COLUMN IF EXISTS "
        + Sql.ident(held)
        + ";\n"
        + markPurged(h);
  }

  /** Ends a held table for good: drops it and marks its row purged. Idempotent. */
  public static String discardTable(Hold h, String table) {
    return "DROP TABLE IF EXISTS " + Sql.name(Hold.heldTableName(table)) + ";\n" + markPurged(h);
  }

  private static String markPurged(Hold h) {
    return "UPDATE "
        + h.heldTable()
        + " SET purged_at = now() WHERE "
        + h.row()
        + " AND purged_at IS NULL";
  }

  /** Forgets a held copy that was brought back. */
  static String forget(Hold h) {
    return "DELETE FROM " + h.heldTable() + " WHERE " + h.row();
  }

  /** True when the held row says the column was NOT NULL (false when there is no row). */
  private static String wasNotNull(Hold h) {
    return "coalesce((SELECT not_null FROM " + h.heldTable() + " WHERE " + h.row() + "), false)";
  }

  private static String hasColumn(String table, String column) {
    return "EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass("
        + Sql.literal(Sql.name(table))
        + ") AND attname = "
        + Sql.literal(column)
        + " AND NOT attisdropped)";
  }

  private static String hasCheck(String table, String check) {
    return "EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = to_regclass("
        + Sql.literal(Sql.name(table))
        + ") AND conname = "
        + Sql.literal(check)
        + ")";
  }

  /**
   * Brings a held column back: NOT NULL proved first on the held column (CHECK NOT VALID, then
   * VALIDATE, a scan that blocks no writes), then in one short transaction the trigger dropped, the
   * column renamed back and SET NOT NULL (proved by the check, no scan); then its indexes and
   * constraints rebuilt ({@link #rebuild}); the row forgotten last, so a rerun after a crash
   * anywhere finds what it needs and skips what is done.
   */
  static java.util.List<Step> restoreColumn(Hold h, String table, String column) {
    String held = Names.heldName(column);
    String t = Sql.name(table);
    String check = Names.notNullCheck(table, held);
    String what = table + "." + column;
    return java.util.List.of(
        DdlStep.of(
            Phase.EXPAND,
            Statement.tx(
                "DO "
                    + Sql.dollarQuoted(
                        "BEGIN IF "
                            + wasNotNull(h)
                            + " AND "
                            + hasColumn(table, held)
                            + " AND NOT "
                            + hasCheck(table, check)
                            + " THEN ALTER TABLE "
                            + t
                            + " ADD CONSTRAINT "
                            + Sql.ident(check)
                            + " CHECK ("
                            + Sql.ident(held)
                            + " IS NOT NULL) NOT VALID; END IF; END")),
            "prove " + what + " NOT NULL again: CHECK NOT VALID"),
        DdlStep.separate(
            Phase.EXPAND,
            Statement.tx(
                "DO "
                    + Sql.dollarQuoted(
                        "BEGIN IF "
                            + hasCheck(table, check)
                            + " THEN ALTER TABLE "
                            + t
                            + " VALIDATE CONSTRAINT "
                            + Sql.ident(check)
                            + "; END IF; END")),
            "validate the NOT NULL check (scans " + table + ", blocks no writes)"),
        DdlStep.separate(
            Phase.EXPAND,
            Statement.tx(
                HeldSql.dropKeepCurrent(table, held)
                    + ";\nDO "
                    + Sql.dollarQuoted(
                        "BEGIN IF "
                            + hasColumn(table, held)
                            + " AND NOT "
                            + hasColumn(table, column)
                            + " THEN ALTER TABLE "
                            + t
                            + " RENAME COLUMN "
                            + Sql.ident(held)
                            + " TO "
                            + Sql.ident(column)
                            + "; END IF; IF "
                            + hasCheck(table, check)
                            + " THEN ALTER TABLE "
                            + t
                            + " ALTER COLUMN "
                            + Sql.ident(column)
                            + " SET NOT NULL; ALTER TABLE "
                            + t
                            + " DROP CONSTRAINT "
                            + Sql.ident(check)
                            + "; END IF; END")),
            "rename " + table + "." + held + " back to " + column),
        DdlStep.of(
            Phase.EXPAND,
            rebuild(h, table),
            "rebuild the indexes and constraints of " + what + " (CONCURRENTLY, NOT VALID)"),
        DdlStep.of(Phase.EXPAND, Statement.tx(forget(h)), "forget the held copy of " + what));
  }

  /** Brings a held table back: renamed back, its foreign keys re-added, the row forgotten. */
  static java.util.List<Step> restoreTable(Hold h, String table) {
    String held = Hold.heldTableName(table);
    return java.util.List.of(
        DdlStep.of(
            Phase.EXPAND,
            Statement.tx(
                "DO "
                    + Sql.dollarQuoted(
                        "BEGIN IF to_regclass("
                            + Sql.literal(Sql.name(held))
                            + ") IS NOT NULL AND to_regclass("
                            + Sql.literal(Sql.name(table))
                            + ") IS NULL THEN ALTER TABLE "
                            + Sql.name(held)
                            + " RENAME TO "
                            + Sql.ident(Sql.simpleName(table))
                            + "; END IF; END")),
            "rename " + held + " back to " + table),
        DdlStep.of(Phase.EXPAND, rebuild(h, table), "re-add the foreign keys of " + table),
        DdlStep.of(Phase.EXPAND, Statement.tx(forget(h)), "forget the held copy of " + table));
  }

  /**
   * A generated statement (its rows run one by one, outside a transaction) rebuilding what the hold
   * dropped, read from the held row: indexes CONCURRENTLY (an invalid leftover of an interrupted
   * build dropped first), primary keys and unique constraints USING such an index, checks and
   * foreign keys NOT VALID then validated (a scan that blocks no writes). What is already there is
   * skipped, so it may run again.
   */
  static Statement rebuild(Hold h, String table) {
    String t = Sql.literal(Sql.name(table));
    String nsp =
        Sql.schemaOf(table) == null ? "current_schema()" : Sql.literal(Sql.schemaOf(table));
    String ix = "to_regclass(format('%I.%I', " + nsp + ", x->>'name'))";
    String dropInvalid =
        "CASE WHEN EXISTS (SELECT 1 FROM pg_index WHERE indexrelid = "
            + ix
            + " AND NOT indisvalid) THEN format('DROP INDEX CONCURRENTLY IF EXISTS %I.%I', "
            + nsp
            + ", x->>'name') END";
    String keyIx = ix.replace("x->>'name'", "x->>'index'");
    String concurrently =
        "regexp_replace(x->>'def', '^CREATE (UNIQUE )?INDEX ', 'CREATE \\1INDEX CONCURRENTLY IF"
            + " NOT EXISTS ')";
    String hasConstraint =
        "EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = to_regclass("
            + t
            + ") AND conname = x->>'name')";
    return Statement.generated(
        "SELECT s FROM "
            + h.heldTable()
            + " h CROSS JOIN LATERAL jsonb_array_elements(h.keep) WITH ORDINALITY e(x, n)"
            + " CROSS JOIN LATERAL unnest(CASE"
            + " WHEN x->>'kind' = 'index' THEN ARRAY["
            + dropInvalid
            + ", "
            + concurrently
            + "]"
            + " WHEN x->>'kind' = 'key' AND NOT "
            + hasConstraint
            + " THEN ARRAY["
            + dropInvalid.replace(ix, keyIx).replace("x->>'name'", "x->>'index'")
            + ", "
            + concurrently
            + ", format('ALTER TABLE %s ADD CONSTRAINT %I %s', "
            + t
            + ", x->>'name', x->>'using')]"
            + " WHEN x->>'kind' = 'constraint' THEN ARRAY["
            + "CASE WHEN NOT "
            + hasConstraint
            + " THEN format('ALTER TABLE %s ADD CONSTRAINT %I %s NOT VALID', "
            + t
            + ", x->>'name', x->>'def') END, CASE WHEN (x->>'valid')::boolean THEN"
            + " format('ALTER TABLE %s VALIDATE CONSTRAINT %I', "
            + t
            + ", x->>'name') END]"
            + " WHEN x->>'kind' = 'default' THEN ARRAY[format('ALTER TABLE %s ALTER COLUMN %I SET"
            + " DEFAULT %s', "
            + t
            + ", x->>'column', x->>'def')]"
            + " END) WITH ORDINALITY u(s, m)"
            + " WHERE h."
            + h.row()
            + " AND s IS NOT NULL ORDER BY n, m");
  }
}
