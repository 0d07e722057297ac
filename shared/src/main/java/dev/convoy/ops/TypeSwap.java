package dev.convoy.ops;

import java.util.List;

/**
 * The SQL that carries everything hanging on a column to its shadow column when a type change goes
 * through one ({@link AlterColumn}).
 *
 * <p>Contract, in order: {@link #refuseUncarried} again (something may have appeared since expand);
 * {@link #copyIndexes}: every index using the column (key, INCLUDE, expression or predicate) is
 * built again on the shadow column, CONCURRENTLY, from {@code pg_get_indexdef} with the column
 * replaced, named {@code convoy_ix_<oid of the original>}; {@link #swap}: one short transaction of
 * catalog-only work (no scan): drops the constraints on the column and the foreign keys that point
 * at it, drops the old indexes, swaps the names, sets NOT NULL (proved by the validated check),
 * moves the default, the sequence or the identity, renames the copies to the original names,
 * re-adds primary key and unique constraints {@code USING INDEX} the copies and the foreign keys
 * and checks {@code NOT VALID}, marked with a {@code convoy:validate} comment; {@link
 * #validateCarried}: each marked constraint is validated in its own transaction (a scan that blocks
 * no writes) and gets its own comment back. Each step is idempotent, so a crash between any two
 * resumes.
 */
final class TypeSwap {
  private TypeSwap() {}

  /** Marks a constraint re-added NOT VALID by a swap, to be validated afterwards. */
  static final String VALIDATE_MARK = "convoy:validate";

  /** The indexes of {@code t} that use attribute {@code att}, in a {@code pg_index i} query. */
  private static final String USES_COLUMN =
      """
      (att = ANY (i.indkey) OR EXISTS (SELECT 1 FROM pg_depend d
        WHERE d.classid = 'pg_class'::regclass AND d.objid = i.indexrelid
          AND d.refclassid = 'pg_class'::regclass AND d.refobjid = t AND d.refobjsubid = att))""";

  private static final String REFUSE =
      """
      DO $convoy$
      DECLARE
        t regclass := to_regclass({TABLE});
        att int2;
        what text;
      BEGIN
        SELECT attnum INTO att FROM pg_attribute WHERE attrelid = t AND attname = {COLUMN} AND NOT attisdropped;
        IF att IS NULL THEN RETURN; END IF;
        SELECT string_agg(x, ', ' ORDER BY x) INTO what FROM (
          SELECT CASE v.relkind WHEN 'v' THEN 'view ' WHEN 'm' THEN 'materialized view '
                 ELSE 'rule ' || quote_ident(w.rulename) || ' on ' END || v.oid::regclass::text AS x
            FROM pg_depend d JOIN pg_rewrite w ON w.oid = d.objid JOIN pg_class v ON v.oid = w.ev_class
            WHERE d.classid = 'pg_rewrite'::regclass AND d.refobjid = t AND d.refobjsubid = att
              AND NOT EXISTS (SELECT 1 FROM pg_description vd WHERE vd.classoid = 'pg_namespace'::regclass
                                AND vd.objoid = v.relnamespace AND vd.objsubid = 0
                                AND left(vd.description, 15) = 'convoy:version ')
          UNION
          SELECT 'generated column ' || quote_ident(g.attname)
            FROM pg_depend d JOIN pg_attrdef ad ON ad.oid = d.objid
            JOIN pg_attribute g ON g.attrelid = ad.adrelid AND g.attnum = ad.adnum
            WHERE d.classid = 'pg_attrdef'::regclass AND d.refobjid = t AND d.refobjsubid = att
              AND g.attgenerated <> ''
          UNION
          SELECT 'exclusion constraint ' || quote_ident(c.conname) FROM pg_constraint c
            WHERE c.conrelid = t AND c.contype = 'x' AND att = ANY (c.conkey)
          UNION
          SELECT 'trigger ' || quote_ident(tg.tgname) FROM pg_depend d JOIN pg_trigger tg ON tg.oid = d.objid
            WHERE d.classid = 'pg_trigger'::regclass AND d.refobjid = t AND d.refobjsubid = att
              AND left(tg.tgname, 7) <> 'convoy_'
          UNION
          SELECT 'policy ' || quote_ident(p.polname) FROM pg_depend d JOIN pg_policy p ON p.oid = d.objid
            WHERE d.classid = 'pg_policy'::regclass AND d.refobjid = t AND d.refobjsubid = att
          UNION
          SELECT 'function ' || d.objid::regprocedure::text FROM pg_depend d
            WHERE d.classid = 'pg_proc'::regclass AND d.refobjid = t AND d.refobjsubid = att
          UNION
          SELECT 'statistics object ' || quote_ident(s.stxname) FROM pg_statistic_ext s
            WHERE s.stxrelid = t AND att = ANY (s.stxkeys)
          UNION
          SELECT 'partitioning (the table is partitioned)' FROM pg_class WHERE oid = t AND relkind = 'p'
          UNION
          SELECT 'partitioning (the table is a partition)' FROM pg_class WHERE oid = t AND relispartition
          UNION
          SELECT 'inheritance (table ' || inhrelid::regclass::text || ' inherits from it)' FROM pg_inherits WHERE inhparent = t
          UNION
          SELECT 'inheritance (it inherits from ' || inhparent::regclass::text || ')' FROM pg_inherits WHERE inhrelid = t
        ) o;
        IF what IS NOT NULL THEN
          RAISE EXCEPTION 'alter_column %.% type {TYPE}: the column is used by %, which a type change cannot carry to the new column', t, {COLUMN}, what
            USING HINT = 'Drop those before this alter_column (in an earlier revision, or an operation before it in this one) and recreate them after it.';
        END IF;
      END $convoy$""";

  private static final String COPY =
      """
      WITH col AS (
        SELECT a.attrelid AS t, a.attnum AS att, n.nspname AS nsp
          FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE a.attrelid = to_regclass({TABLE}) AND a.attname = {COLUMN} AND NOT a.attisdropped
            AND EXISTS (SELECT 1 FROM pg_attribute s WHERE s.attrelid = a.attrelid AND s.attname = {SHADOW} AND NOT s.attisdropped)
      ), ix AS (
        SELECT i.indexrelid, col.nsp, 'convoy_ix_' || i.indexrelid AS copy, pg_get_indexdef(i.indexrelid) AS def,
               CASE WHEN i.indisunique THEN 'UNIQUE ' ELSE '' END AS uq, ic.relname
          FROM col JOIN pg_index i ON i.indrelid = col.t JOIN pg_class ic ON ic.oid = i.indexrelid
          WHERE {USES}
      )
      SELECT sql FROM (
        SELECT ix.indexrelid, 1 AS k, format('DROP INDEX CONCURRENTLY IF EXISTS %I.%I', ix.nsp, ix.copy) AS sql
          FROM ix JOIN pg_index ci ON ci.indexrelid = to_regclass(format('%I.%I', ix.nsp, ix.copy))
          WHERE NOT ci.indisvalid
        UNION ALL
        SELECT ix.indexrelid, 2, format('CREATE %sINDEX CONCURRENTLY IF NOT EXISTS %I ON ', ix.uq, ix.copy)
            || (SELECT string_agg(CASE WHEN p.m[1] IS NOT NULL THEN p.m[1]
                                       ELSE regexp_replace(p.m[2], {PATTERN}, {REPLACEMENT}, 'g') END,
                                  '' ORDER BY p.n)
                  -- string literals ('...', quotes doubled) are kept as they are
                  FROM regexp_matches(substr(ix.def, length(format('CREATE %sINDEX %I ON ', ix.uq, ix.relname)) + 1),
                                      '(''(?:[^'']|'''')*'')|([^'']+)', 'g') WITH ORDINALITY AS p(m, n))
          FROM ix
      ) x ORDER BY indexrelid, k""";

  private static final String VALIDATE =
      """
      SELECT format('ALTER TABLE %s VALIDATE CONSTRAINT %I; COMMENT ON CONSTRAINT %I ON %s IS %L',
                    c.conrelid::regclass, c.conname, c.conname, c.conrelid::regclass,
                    CASE WHEN d.description = {MARK} THEN NULL ELSE substr(d.description, length({MARK}) + 2) END)
        FROM pg_constraint c
        JOIN pg_description d ON d.classoid = 'pg_constraint'::regclass AND d.objoid = c.oid AND d.objsubid = 0
        WHERE (c.conrelid = to_regclass({TABLE}) OR c.confrelid = to_regclass({TABLE}))
          AND (d.description = {MARK} OR left(d.description, length({MARK}) + 1) = {MARK} || '|')
        ORDER BY c.oid""";

  /** Refuses, naming them, what depends on the column and cannot be carried over. */
  static Statement refuseUncarried(String table, String column, String type) {
    return Statement.tx(
        fill(REFUSE, table, column).replace("{TYPE}", type.replace("'", "''").replace("%", "%%")));
  }

  /** Builds a copy of every index using the column on the shadow column (generated). */
  static Statement copyIndexes(String table, String column) {
    return Statement.generated(
        fill(COPY, table, column)
            .replace("{USES}", USES_COLUMN)
            .replace("{PATTERN}", Sql.literal(columnPattern(column)))
            .replace(
                "{REPLACEMENT}",
                Sql.literal(Sql.ident(Names.shadowColumn(column)).replace("\\", "\\\\"))));
  }

  /** Validates the constraints a swap re-added NOT VALID (generated: one transaction each). */
  static Statement validateCarried(String table) {
    return Statement.generated(
        VALIDATE
            .replace("{TABLE}", Sql.literal(Sql.name(table)))
            .replace("{MARK}", Sql.literal(VALIDATE_MARK)));
  }

  /** The swap: one transaction, catalog-only work; does nothing when already swapped. */
  static Statement swap(String table, String column, String dropSync) {
    return Statement.tx(
        fill(TypeSwapSql.SWAP, table, column)
            .replace("{USES}", USES_COLUMN)
            .replace("{RETIRED}", Sql.literal(Names.retiredColumn(column)))
            .replace("{CHECK}", Sql.literal(Names.notNullCheck(table, Names.shadowColumn(column))))
            .replace("{SYNC_DROP}", Sql.literal(dropSync))
            .replace("{MARK}", Sql.literal(VALIDATE_MARK)));
  }

  /** NOT NULL of the column, proved on the shadow column by a validated check (no long lock). */
  static List<Step> carryNotNull(String table, String column) {
    String shadow = Names.shadowColumn(column);
    String t = Sql.name(table);
    String check = Names.notNullCheck(table, shadow);
    String oldNotNull =
        "(SELECT a.attnotnull FROM pg_attribute a WHERE a.attrelid = to_regclass("
            + Sql.literal(t)
            + ") AND a.attname = "
            + Sql.literal(column)
            + ")";
    String shadowExists =
        "EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = to_regclass("
            + Sql.literal(t)
            + ") AND a.attname = "
            + Sql.literal(shadow)
            + " AND NOT a.attisdropped)";
    return List.of(
        DdlStep.of(
            Phase.CONTRACT,
            Statement.tx(
                "DO $convoy$ BEGIN IF "
                    + shadowExists
                    + " AND "
                    + oldNotNull
                    + " AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = "
                    + Sql.literal(check)
                    + " AND conrelid = to_regclass("
                    + Sql.literal(t)
                    + ")) THEN ALTER TABLE "
                    + t
                    + " ADD CONSTRAINT "
                    + Sql.ident(check)
                    + " CHECK ("
                    + Sql.ident(shadow)
                    + " IS NOT NULL) NOT VALID; END IF; END $convoy$"),
            "carry NOT NULL over: CHECK NOT VALID"),
        DdlStep.separate(
            Phase.CONTRACT,
            Statement.tx(
                "DO $convoy$ BEGIN IF EXISTS (SELECT 1 FROM pg_constraint WHERE conname = "
                    + Sql.literal(check)
                    + " AND conrelid = to_regclass("
                    + Sql.literal(t)
                    + ")) THEN ALTER TABLE "
                    + t
                    + " VALIDATE CONSTRAINT "
                    + Sql.ident(check)
                    + "; END IF; END $convoy$"),
            "validate the NOT NULL check"));
  }

  private static String fill(String sql, String table, String column) {
    return sql.replace("{TABLE}", Sql.literal(Sql.name(table)))
        .replace("{COLUMN}", Sql.literal(column))
        .replace("{SHADOW}", Sql.literal(Names.shadowColumn(column)));
  }

  /**
   * The column as {@code pg_get_indexdef} prints it (quoted only when it must be), not part of a
   * longer name, a qualified name, a function call or a string literal.
   */
  static String columnPattern(String column) {
    StringBuilder quoted = new StringBuilder("\\\"");
    for (char ch : column.replace("\"", "\"\"").toCharArray()) {
      if (!Character.isLetterOrDigit(ch) && ch != '_') {
        quoted.append('\\');
      }
      quoted.append(ch);
    }
    quoted.append("\\\"");
    String either =
        column.matches("[a-z_][a-z0-9_$]*")
            ? "(?:" + quoted + "|" + column.replace("$", "\\$") + ")"
            : quoted.toString();
    return "(?<![[:alnum:]_$\"'.:])" + either + "(?![[:alnum:]_$\"'.(])";
  }

  /**
   * Undoes a shadow type change that did not finish: drops the shadow column (and the index copies
   * on it), or, when the swap already happened, turns the column back into its old type and drops
   * the old one.
   */
  static Statement undoShadow(String table, String column, String fromType) {
    String t = Sql.name(table);
    String c = Sql.ident(column);
    String retired = Names.retiredColumn(column);
    String back =
        fromType == null
            ? ""
            : "IF EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass("
                + Sql.literal(t)
                + ") AND attname = "
                + Sql.literal(retired)
                + " AND NOT attisdropped) THEN ALTER TABLE "
                + t
                + " ALTER COLUMN "
                + c
                + " TYPE "
                + fromType
                + "; ALTER TABLE "
                + t
                + " DROP COLUMN "
                + Sql.ident(retired)
                + "; END IF;";
    return Statement.tx(
        dropSync(table, column)
            + ";\n"
            + DropColumn.dropSql(table, Names.shadowColumn(column), true)
            + ";\nDO $convoy$ BEGIN "
            + back
            + " END $convoy$");
  }

  static String dropSync(String table, String column) {
    String t = Sql.name(table);
    String shadow = Names.shadowColumn(column);
    return "DROP TRIGGER IF EXISTS "
        + Sql.ident(Names.fillTrigger(shadow))
        + " ON "
        + t
        + "; DROP FUNCTION IF EXISTS "
        + Sql.name(Names.fillFunction(table, shadow))
        + "()";
  }
}
