package dev.convoy.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * A database's schema as sorted text lines, read straight from the PostgreSQL catalog, for
 * asserting that two databases have the same shape however they got there (a chain of migrations
 * versus the declared DDL run once). It covers every user schema but Convoy's state schema: tables,
 * columns (type, NOT NULL, default, identity, generated expression, collation, comment; not their
 * order), constraints as {@code pg_get_constraintdef} prints them with their validity, indexes as
 * {@code pg_get_indexdef} prints them with their validity, enums with their labels in order, other
 * types, sequences with their parameters and the column that owns them, views, triggers, functions,
 * extensions, and comments on all of them.
 *
 * <p>It is written independently of Convoy's own catalog reader on purpose: a test that compares
 * with it catches the reader's mistakes as well as the differ's. Triggers and functions are in the
 * dump so that anything Convoy leaves behind after contract (a fill trigger, a sync function) shows
 * as a difference. No data is dumped; sequence positions are data too.
 */
public final class CatalogDump {
  private static final String DEFAULT_STATE_SCHEMA = "convoy";

  private CatalogDump() {}

  /**
   * The dump of {@code db}, leaving out the {@code convoy} state schema and what is held for the
   * revert window.
   */
  public static String of(TestDatabase db) {
    return of(db.url(), DEFAULT_STATE_SCHEMA);
  }

  /** The dump of the database at {@code url}, leaving out {@code stateSchema}. */
  public static String of(String url, String stateSchema) {
    String dump = TestPostgres.scalar(url, query(stateSchema));
    return dump == null ? "" : dump;
  }

  /**
   * The lines that differ, for a failure message: {@code - line} expected but missing, {@code +
   * line} present but not expected; empty when the dumps are equal.
   */
  public static String difference(String expected, String actual) {
    TreeSet<String> want = new TreeSet<>(expected.lines().toList());
    TreeSet<String> got = new TreeSet<>(actual.lines().toList());
    List<String> out = new ArrayList<>();
    for (String line : want) {
      if (!got.contains(line)) {
        out.add("- " + line);
      }
    }
    for (String line : got) {
      if (!want.contains(line)) {
        out.add("+ " + line);
      }
    }
    // Sort by the line itself so a changed object's two versions sit next to each other.
    out.sort((a, b) -> a.substring(2).compareTo(b.substring(2)));
    return String.join("\n", out);
  }

  private static String query(String stateSchema) {
    String excluded = "'" + stateSchema.replace("'", "''") + "'";
    String userSchema =
        " NOT IN ("
            + excluded
            + ", 'pg_catalog', 'information_schema', 'pg_toast')"
            + " AND %1$s NOT LIKE 'pg_temp_%%' AND %1$s NOT LIKE 'pg_toast_temp_%%'"
            // the application versions' schemas of views are Convoy's, like its state schema
            + " AND left(%1$s, "
            + (stateSchema.length() + 3)
            + ") <> '"
            + stateSchema.replace("'", "''").replace("%", "%%")
            + "_v_'";
    String nsp = "n.nspname" + userSchema.formatted("n.nspname");
    // Objects that belong to an extension are the extension's line, not their own.
    String notExtension =
        " AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = %s::regclass"
            + " AND e.objid = %s AND e.deptype = 'e')";
    String comment = " || coalesce(' comment ' || quote_literal(%s), '')";
    List<String> parts = new ArrayList<>();
    parts.add(
        "SELECT 'schema ' || quote_ident(n.nspname)"
            + comment.formatted("obj_description(n.oid, 'pg_namespace')")
            + " FROM pg_namespace n WHERE "
            + nsp);
    parts.add(
        "SELECT 'extension ' || x.extname || ' in ' || n.nspname FROM pg_extension x"
            + " JOIN pg_namespace n ON n.oid = x.extnamespace WHERE x.extname <> 'plpgsql'");
    parts.add(
        "SELECT CASE c.relkind WHEN 'p' THEN 'partitioned table ' ELSE 'table ' END"
            + " || c.oid::regclass::text"
            + " || CASE c.relpersistence WHEN 'u' THEN ' unlogged' ELSE '' END"
            + " || coalesce(' with ' || array_to_string(c.reloptions, ','), '')"
            + comment.formatted("obj_description(c.oid, 'pg_class')")
            + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE c.relkind IN ('r', 'p') AND "
            + nsp
            + notExtension.formatted("'pg_class'", "c.oid"));
    parts.add(
        "SELECT 'column ' || c.oid::regclass::text || '.' || quote_ident(a.attname) || ' '"
            + " || format_type(a.atttypid, a.atttypmod)"
            + " || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END"
            + " || CASE WHEN a.attgenerated = 's'"
            + "      THEN ' generated always as (' || pg_get_expr(d.adbin, d.adrelid) || ') stored'"
            + "      ELSE coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '') END"
            + " || CASE a.attidentity WHEN 'a' THEN ' identity always'"
            + "      WHEN 'd' THEN ' identity by default' ELSE '' END"
            + " || CASE WHEN a.attcollation <> t.typcollation"
            + "      THEN ' collate ' || quote_ident(co.collname) ELSE '' END"
            + comment.formatted("col_description(c.oid, a.attnum)")
            + " FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
            + " JOIN pg_namespace n ON n.oid = c.relnamespace"
            + " JOIN pg_type t ON t.oid = a.atttypid"
            + " LEFT JOIN pg_collation co ON co.oid = a.attcollation"
            + " LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
            + " WHERE c.relkind IN ('r', 'p', 'v', 'm') AND a.attnum > 0 AND NOT a.attisdropped"
            + " AND "
            + nsp
            + notExtension.formatted("'pg_class'", "c.oid"));
    parts.add(
        "SELECT 'constraint ' || coalesce(r.oid::regclass::text, tn.nspname || '.' || ty.typname)"
            + " || ' ' || quote_ident(k.conname) || ' ' || pg_get_constraintdef(k.oid)"
            // pg_get_constraintdef ends an unvalidated constraint with NOT VALID itself.
            + comment.formatted("obj_description(k.oid, 'pg_constraint')")
            + " FROM pg_constraint k JOIN pg_namespace n ON n.oid = k.connamespace"
            + " LEFT JOIN pg_class r ON r.oid = k.conrelid"
            + " LEFT JOIN pg_type ty ON ty.oid = k.contypid"
            + " LEFT JOIN pg_namespace tn ON tn.oid = ty.typnamespace"
            + " WHERE "
            + nsp
            + notExtension.formatted("'pg_constraint'", "k.oid"));
    parts.add(
        "SELECT 'index ' || pg_get_indexdef(i.indexrelid)"
            + " || CASE WHEN i.indisvalid THEN '' ELSE ' INVALID' END"
            + " || CASE WHEN i.indisready THEN '' ELSE ' NOT READY' END"
            + comment.formatted("obj_description(i.indexrelid, 'pg_class')")
            + " FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
            + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE "
            + nsp
            + notExtension.formatted("'pg_class'", "i.indrelid"));
    parts.add(
        "SELECT 'enum ' || t.oid::regtype::text || ' ('"
            + " || (SELECT string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder)"
            + "     FROM pg_enum e WHERE e.enumtypid = t.oid) || ')'"
            + comment.formatted("obj_description(t.oid, 'pg_type')")
            + " FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace"
            + " WHERE t.typtype = 'e' AND "
            + nsp
            + notExtension.formatted("'pg_type'", "t.oid"));
    // Domains, ranges, composite types: anything else a schema declares shows as a line too.
    parts.add(
        "SELECT 'type ' || t.oid::regtype::text || ' ' || t.typtype::text"
            + " || CASE WHEN t.typtype = 'd' THEN ' over ' || format_type(t.typbasetype, t.typtypmod)"
            + "      || CASE WHEN t.typnotnull THEN ' not null' ELSE '' END"
            + "      || coalesce(' default ' || t.typdefault, '') ELSE '' END"
            + comment.formatted("obj_description(t.oid, 'pg_type')")
            + " FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace"
            + " LEFT JOIN pg_class tc ON tc.oid = t.typrelid"
            + " WHERE t.typtype NOT IN ('e', 'p') AND t.typcategory <> 'A'"
            + " AND (t.typrelid = 0 OR tc.relkind = 'c') AND "
            + nsp
            + notExtension.formatted("'pg_type'", "t.oid"));
    parts.add(
        "SELECT 'sequence ' || c.oid::regclass::text || ' ' || format_type(s.seqtypid, NULL)"
            + " || ' start ' || s.seqstart || ' increment ' || s.seqincrement"
            + " || ' min ' || s.seqmin || ' max ' || s.seqmax || ' cache ' || s.seqcache"
            + " || CASE WHEN s.seqcycle THEN ' cycle' ELSE '' END"
            + " || coalesce((SELECT CASE d.deptype WHEN 'i' THEN ' identity of ' ELSE ' owned by ' END"
            + "      || d.refobjid::regclass::text || '.' || quote_ident(a.attname)"
            + "      FROM pg_depend d JOIN pg_attribute a"
            + "        ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid"
            + "      WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid"
            + "        AND d.refclassid = 'pg_class'::regclass AND d.refobjsubid > 0"
            + "        AND d.deptype IN ('a', 'i')), '')"
            + comment.formatted("obj_description(c.oid, 'pg_class')")
            + " FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid"
            + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE "
            + nsp
            + notExtension.formatted("'pg_class'", "c.oid"));
    parts.add(
        "SELECT CASE c.relkind WHEN 'm' THEN 'materialized view ' ELSE 'view ' END"
            + " || c.oid::regclass::text || ' ' || pg_get_viewdef(c.oid)"
            + comment.formatted("obj_description(c.oid, 'pg_class')")
            + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE c.relkind IN ('v', 'm') AND "
            + nsp
            + notExtension.formatted("'pg_class'", "c.oid"));
    parts.add(
        "SELECT 'trigger ' || pg_get_triggerdef(g.oid)"
            + CASE_DISABLED
            + comment.formatted("obj_description(g.oid, 'pg_trigger')")
            + " FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid"
            + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE NOT g.tgisinternal AND "
            + nsp);
    parts.add(
        "SELECT 'function ' || p.oid::regproc::text"
            + " || '(' || pg_get_function_identity_arguments(p.oid) || ') returns '"
            + " || coalesce(pg_get_function_result(p.oid), '') || ' body ' || md5(p.prosrc)"
            + comment.formatted("obj_description(p.oid, 'pg_proc')")
            + " FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE "
            + nsp
            + notExtension.formatted("'pg_proc'", "p.oid"));
    return "SELECT string_agg(line, E'\\n' ORDER BY line COLLATE \"C\") FROM ("
        + String.join("\n UNION ALL ", parts)
        // What a contract keeps for the revert window (a column or table renamed to
        // <name>__convoy_held, its indexes, serials and trigger) is Convoy's, like its state
        // schema.
        + ") AS dump(line) WHERE line !~ '__convoy_held'";
  }

  private static final String CASE_DISABLED =
      " || CASE g.tgenabled WHEN 'D' THEN ' disabled' ELSE '' END";
}
