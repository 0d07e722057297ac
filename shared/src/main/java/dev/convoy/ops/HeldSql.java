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
}
