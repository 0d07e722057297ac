package dev.convoy.ops;

/**
 * The SQL of the revert window ({@link Hold}): what a contract runs instead of dropping a column or
 * a table, and what a downgrade inside the window runs to bring it back.
 *
 * <p>Holding a column drops what DROP COLUMN would have dropped with it (the indexes and the
 * table's constraints that use it, and a default that uses another object such as a sequence), so
 * the application and later operations see the same table as after a real drop, and keeps how to
 * rebuild them in the held row ({@code keep}, a JSON list). It refuses what DROP COLUMN without
 * CASCADE refuses (a view, or another table's foreign key, using it). It drops the column's NOT
 * NULL (the new application does not write it) and keeps a self-contained default (a constant,
 * now()), so a row inserted since gets the default or NULL, and, when the operation gives {@code
 * down:}, a trigger sets the held value from the row on every insert and update. Holding a table
 * keeps its indexes, constraints and sequences (they were never dropped) but drops its foreign keys
 * to other tables, which would otherwise stop the application deleting the rows they reference.
 * Everything, the rename and the held row, commits in one transaction; a rerun finds the column
 * gone and does nothing.
 */
final class HeldSql {
  private HeldSql() {}

  private static final String HOLD_COLUMN =
      """
      DECLARE
        t regclass := to_regclass({TABLE});
        col name := {COLUMN};
        held name := {HELD};
        att int2;
        nn boolean;
        ident "char";
        what text;
        def text;
        def_oid oid;
        uses text;
        keep jsonb := '[]';
        r record;
      BEGIN
        IF t IS NULL THEN
          RAISE EXCEPTION 'drop_column %.%: the table does not exist', {TABLE}, col USING ERRCODE = 'undefined_table';
        END IF;
        SELECT a.attnum, a.attnotnull, a.attidentity INTO att, nn, ident FROM pg_attribute a
          WHERE a.attrelid = t AND a.attname = col AND NOT a.attisdropped;
        IF att IS NULL THEN
          RETURN;
        END IF;
        IF EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = t AND attname = held AND NOT attisdropped) THEN
          RAISE EXCEPTION 'drop_column %.%: column % is still there, holding an earlier drop of % (revision %)', t, col, held, col,
              coalesce((SELECT string_agg(revision, ', ') FROM {STATE} WHERE table_name = {TABLE_AS_WRITTEN} AND held_name = held), 'unknown')
            USING HINT = 'Purge it first: convoy purge --revision <that revision>.';
        END IF;
        SELECT string_agg(x, ', ' ORDER BY x) INTO what FROM (
          SELECT 'view ' || v.oid::regclass::text AS x FROM pg_depend d JOIN pg_rewrite w ON w.oid = d.objid
            JOIN pg_class v ON v.oid = w.ev_class
            WHERE d.classid = 'pg_rewrite'::regclass AND d.refobjid = t AND d.refobjsubid = att AND v.oid <> t
          UNION
          SELECT 'foreign key ' || quote_ident(c.conname) || ' of ' || c.conrelid::regclass::text
            FROM pg_constraint c WHERE c.confrelid = t AND att = ANY (c.confkey)
        ) o;
        IF what IS NOT NULL THEN
          RAISE EXCEPTION 'drop_column %.%: % depends on it', t, col, what
            USING HINT = 'Drop those first (an operation before this one), as DROP COLUMN without CASCADE needs.';
        END IF;
        -- Held, a column of a type (or collation) of the schema's own would stop a later change
        -- dropping that type, as a dropped one would not: such a column is dropped at once.
        SELECT string_agg(DISTINCT pg_describe_object(d.refclassid, d.refobjid, 0), ', ') INTO uses
          FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = t AND d.objsubid = att
            AND NOT (d.refclassid = 'pg_class'::regclass AND d.refobjid = t);
        IF uses IS NOT NULL THEN
          EXECUTE format('ALTER TABLE %s DROP COLUMN %I', t, col);
          INSERT INTO {STATE} AS h (revision, op_index, kind, table_name, column_name, held_name, held_at,
              expires_at, purged_at, why)
            VALUES ({REVISION}, {OP}, 'column', {TABLE_AS_WRITTEN}, col, held, now(), now(), now(),
              'it was dropped at once, not held: it uses ' || uses || ', which a later change may drop')
            ON CONFLICT (revision, op_index) DO UPDATE SET held_at = now(), expires_at = now(),
              purged_at = now(), why = EXCLUDED.why;
          RETURN;
        END IF;
        FOR r IN SELECT c.conname, c.contype, c.convalidated, pg_get_constraintdef(c.oid) AS def,
                        ic.relname AS ixname, pg_get_indexdef(c.conindid) AS ixdef,
                        CASE WHEN c.condeferred THEN ' DEFERRABLE INITIALLY DEFERRED'
                             WHEN c.condeferrable THEN ' DEFERRABLE' ELSE '' END AS deferring
            FROM pg_constraint c LEFT JOIN pg_class ic ON ic.oid = c.conindid
            WHERE c.conrelid = t AND att = ANY (c.conkey) AND c.contype IN ('p', 'u', 'c', 'f')
            ORDER BY c.contype <> 'f', c.oid LOOP
          IF r.contype IN ('p', 'u') THEN
            keep := keep || jsonb_build_object('kind', 'key', 'name', r.conname, 'index', r.ixname,
                'def', r.ixdef, 'using', format('%s USING INDEX %I%s',
                    CASE r.contype WHEN 'p' THEN 'PRIMARY KEY' ELSE 'UNIQUE' END, r.ixname, r.deferring));
          ELSE
            keep := keep || jsonb_build_object('kind', 'constraint', 'name', r.conname,
                'def', regexp_replace(r.def, ' NOT VALID$', ''), 'valid', r.convalidated);
          END IF;
          EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', t, r.conname);
        END LOOP;
        FOR r IN SELECT i.indexrelid::regclass::text AS ix, ic.relname, pg_get_indexdef(i.indexrelid) AS def
            FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
            WHERE i.indrelid = t AND (att = ANY (i.indkey) OR EXISTS (SELECT 1 FROM pg_depend d
              WHERE d.classid = 'pg_class'::regclass AND d.objid = i.indexrelid
                AND d.refclassid = 'pg_class'::regclass AND d.refobjid = t AND d.refobjsubid = att))
            ORDER BY i.indexrelid LOOP
          keep := keep || jsonb_build_object('kind', 'index', 'name', r.relname, 'def', r.def);
          EXECUTE format('DROP INDEX %s', r.ix);
        END LOOP;
        -- A default that uses another object (a sequence, a function) would stop a later operation
        -- dropping that object, as a dropped column's would not: it goes, and comes back on restore.
        SELECT pg_get_expr(ad.adbin, ad.adrelid), ad.oid INTO def, def_oid FROM pg_attrdef ad
          WHERE ad.adrelid = t AND ad.adnum = att;
        IF def IS NOT NULL AND EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_attrdef'::regclass
            AND d.objid = def_oid AND NOT (d.refclassid = 'pg_class'::regclass AND d.refobjid = t)) THEN
          keep := keep || jsonb_build_object('kind', 'default', 'column', col, 'def', def);
          EXECUTE format('ALTER TABLE %s ALTER COLUMN %I DROP DEFAULT', t, col);
        END IF;
        IF nn AND ident = '' THEN
          EXECUTE format('ALTER TABLE %s ALTER COLUMN %I DROP NOT NULL', t, col);
        END IF;
        EXECUTE format('ALTER TABLE %s RENAME COLUMN %I TO %I', t, col, held);
        INSERT INTO {STATE} AS h (revision, op_index, kind, table_name, column_name, held_name, held_at,
            expires_at, not_null, keep)
          VALUES ({REVISION}, {OP}, 'column', {TABLE_AS_WRITTEN}, col, held, now(), now() + {WINDOW},
            nn AND ident = '', keep)
          ON CONFLICT (revision, op_index) DO UPDATE SET kind = EXCLUDED.kind,
            table_name = EXCLUDED.table_name, column_name = EXCLUDED.column_name,
            held_name = EXCLUDED.held_name, held_at = EXCLUDED.held_at, expires_at = EXCLUDED.expires_at,
            purged_at = NULL, why = NULL, not_null = EXCLUDED.not_null, keep = EXCLUDED.keep;
        {TRIGGER}
      END""";

  private static final String HOLD_TABLE =
      """
      DECLARE
        t regclass := to_regclass({TABLE});
        what text;
        uses text;
        keep jsonb := '[]';
        r record;
      BEGIN
        IF t IS NULL THEN
          RETURN;
        END IF;
        IF to_regclass({HELD_QUALIFIED}) IS NOT NULL THEN
          RAISE EXCEPTION 'drop_table %: table % is still there, holding an earlier drop of it (revision %)', t, {HELD_QUALIFIED},
              coalesce((SELECT string_agg(revision, ', ') FROM {STATE} WHERE table_name = {TABLE_AS_WRITTEN} AND kind = 'table'), 'unknown')
            USING HINT = 'Purge it first: convoy purge --revision <that revision>.';
        END IF;
        SELECT string_agg(x, ', ' ORDER BY x) INTO what FROM (
          SELECT 'view ' || v.oid::regclass::text AS x FROM pg_depend d JOIN pg_rewrite w ON w.oid = d.objid
            JOIN pg_class v ON v.oid = w.ev_class
            WHERE d.classid = 'pg_rewrite'::regclass AND d.refobjid = t AND v.oid <> t
          UNION
          SELECT 'foreign key ' || quote_ident(c.conname) || ' of ' || c.conrelid::regclass::text
            FROM pg_constraint c WHERE c.confrelid = t AND c.conrelid <> t
        ) o;
        IF what IS NOT NULL THEN
          RAISE EXCEPTION 'drop_table %: % depends on it', t, what
            USING HINT = 'Drop those first (an operation before this one), as DROP TABLE without CASCADE needs.';
        END IF;
        -- Held, a table using a type, sequence or function of the schema's own (other than its own
        -- serials) would stop a later change dropping it, as a dropped one would not: such a table
        -- is dropped at once.
        SELECT string_agg(DISTINCT pg_describe_object(d.refclassid, d.refobjid, 0), ', ') INTO uses
          FROM pg_depend d
          WHERE ((d.classid = 'pg_class'::regclass AND d.objid = t)
              OR (d.classid = 'pg_attrdef'::regclass AND d.objid IN (SELECT oid FROM pg_attrdef WHERE adrelid = t))
              OR (d.classid = 'pg_constraint'::regclass AND d.objid IN (SELECT oid FROM pg_constraint
                  WHERE conrelid = t AND contype <> 'f')))
            AND d.deptype = 'n' AND d.refclassid <> 'pg_namespace'::regclass
            AND NOT (d.refclassid = 'pg_class'::regclass AND (d.refobjid = t OR d.refobjid IN (
              SELECT s.objid FROM pg_depend s WHERE s.classid = 'pg_class'::regclass
                AND s.refclassid = 'pg_class'::regclass AND s.refobjid = t AND s.deptype IN ('a', 'i'))));
        IF uses IS NOT NULL THEN
          EXECUTE format('DROP TABLE %s', t);
          INSERT INTO {STATE} AS h (revision, op_index, kind, table_name, column_name, held_name, held_at,
              expires_at, purged_at, why)
            VALUES ({REVISION}, {OP}, 'table', {TABLE_AS_WRITTEN}, NULL, {HELD}, now(), now(), now(),
              'it was dropped at once, not held: it uses ' || uses || ', which a later change may drop')
            ON CONFLICT (revision, op_index) DO UPDATE SET held_at = now(), expires_at = now(),
              purged_at = now(), why = EXCLUDED.why;
          RETURN;
        END IF;
        FOR r IN SELECT c.conname, c.convalidated, pg_get_constraintdef(c.oid) AS def FROM pg_constraint c
            WHERE c.conrelid = t AND c.contype = 'f' AND c.confrelid <> t ORDER BY c.oid LOOP
          keep := keep || jsonb_build_object('kind', 'constraint', 'name', r.conname,
              'def', regexp_replace(r.def, ' NOT VALID$', ''), 'valid', r.convalidated);
          EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', t, r.conname);
        END LOOP;
        EXECUTE format('ALTER TABLE %s RENAME TO %I', t, {HELD});
        INSERT INTO {STATE} AS h (revision, op_index, kind, table_name, column_name, held_name, held_at,
            expires_at, not_null, keep)
          VALUES ({REVISION}, {OP}, 'table', {TABLE_AS_WRITTEN}, NULL, {HELD}, now(), now() + {WINDOW},
            false, keep)
          ON CONFLICT (revision, op_index) DO UPDATE SET kind = EXCLUDED.kind,
            table_name = EXCLUDED.table_name, column_name = NULL, held_name = EXCLUDED.held_name,
            held_at = EXCLUDED.held_at, expires_at = EXCLUDED.expires_at, purged_at = NULL,
            why = NULL, not_null = false, keep = EXCLUDED.keep;
      END""";

  /** Contract of drop_column: the column renamed to its held name and recorded. */
  static String holdColumn(Hold h, String table, String column, String down) {
    String held = Names.heldName(column);
    String trigger = down == null ? "" : keepCurrent(table, held, down);
    return "DO "
        + Sql.dollarQuoted(
            fill(HOLD_COLUMN, h, table)
                .replace("{COLUMN}", Sql.literal(column))
                .replace("{HELD}", Sql.literal(held))
                .replace("{TRIGGER}", trigger));
  }

  /** Contract of drop_table: the table renamed to its held name (same schema) and recorded. */
  static String holdTable(Hold h, String table) {
    return "DO "
        + Sql.dollarQuoted(
            fill(HOLD_TABLE, h, table)
                .replace("{HELD_QUALIFIED}", Sql.literal(Sql.name(Hold.heldTableName(table))))
                .replace("{HELD}", Sql.literal(Names.heldName(Sql.simpleName(table)))));
  }

  private static String fill(String template, Hold h, String table) {
    return template
        .replace("{STATE}", h.heldTable())
        .replace("{TABLE_AS_WRITTEN}", Sql.literal(table))
        .replace("{TABLE}", Sql.literal(Sql.name(table)))
        .replace("{REVISION}", Sql.literal(h.revision()))
        .replace("{OP}", Integer.toString(h.opIndex()))
        .replace("{WINDOW}", Sql.literal(h.window().toMillis() + " milliseconds") + "::interval");
  }

  /**
   * PL/pgSQL statements (inside the hold's DO block) creating the trigger that sets the held column
   * from {@code down}, an expression over the row, on every insert and update.
   */
  private static String keepCurrent(String table, String held, String down) {
    String fn = Sql.name(Names.heldFunction(table, held));
    String function =
        "CREATE OR REPLACE FUNCTION "
            + fn
            + "() RETURNS trigger LANGUAGE plpgsql AS "
            + Sql.dollarQuoted(
                "BEGIN NEW."
                    + Sql.ident(held)
                    + " := (SELECT "
                    + down
                    + " FROM (SELECT NEW.*) AS "
                    + Sql.ident(Sql.simpleName(table))
                    + "); RETURN NEW; END");
    String trigger =
        "CREATE OR REPLACE TRIGGER "
            + Sql.ident(Names.heldTrigger(held))
            + " BEFORE INSERT OR UPDATE ON "
            + Sql.name(table)
            + " FOR EACH ROW EXECUTE FUNCTION "
            + fn
            + "()";
    return "EXECUTE " + Sql.literal(function) + "; EXECUTE " + Sql.literal(trigger) + ";";
  }

  /** Drops the trigger keeping a held column current; tolerates it being gone. */
  public static String dropKeepCurrent(String table, String held) {
    return "DROP TRIGGER IF EXISTS "
        + Sql.ident(Names.heldTrigger(held))
        + " ON "
        + Sql.name(table)
        + "; DROP FUNCTION IF EXISTS "
        + Sql.name(Names.heldFunction(table, held))
        + "()";
  }

  /**
   * Ends a held column for good (an expired window, or {@code convoy purge}): drops it and its
   * trigger and marks its row purged. Idempotent. PostgreSQL frees a dropped column's space only as
   * rows are rewritten (updates, VACUUM FULL), not at once.
   */
  public static String discardColumn(Hold h, String table, String held) {
    return dropKeepCurrent(table, held)
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
                dropKeepCurrent(table, held)
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
