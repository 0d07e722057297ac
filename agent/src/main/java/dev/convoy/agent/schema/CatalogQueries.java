package dev.convoy.agent.schema;

import dev.convoy.ops.Sql;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The catalog queries {@link CatalogReader} sends: one per kind of object, each covering every
 * table at once. Every value comes back as text (the blocking session's protocol); lists come back
 * as JSON arrays. Names are qualified only outside {@code public}, as migrations write them.
 */
final class CatalogQueries {
  private CatalogQueries() {}

  /**
   * {@code nsp.name}, or {@code name} alone in public; a public name holding a dot stays qualified
   * ({@code public.a.b}), so the differ refuses it instead of reading it as table b of schema a.
   */
  private static String qualified(String nsp, String name) {
    return "CASE WHEN "
        + nsp
        + " = 'public' AND strpos("
        + name
        + ", '.') = 0 THEN "
        + name
        + " ELSE "
        + nsp
        + " || '.' || "
        + name
        + " END";
  }

  /**
   * Which schemas are read: {@code only} (null: every one) but never the system ones, temporary
   * ones, the state schema or the application versions' schemas (Convoy's views, see {@code
   * dev.convoy.versions}).
   */
  record Scope(String stateSchema, Set<String> only) {}

  /** The schemas a Schema covers, as a condition on the schema name {@code nsp}. */
  private static String userSchema(String nsp, Scope scope) {
    return nsp
        + " NOT IN ('pg_catalog', 'information_schema', "
        + Sql.literal(scope.stateSchema())
        + ") AND "
        + nsp
        + " !~ '^pg_(toast|temp_|toast_temp_)' AND NOT EXISTS (SELECT 1 FROM pg_namespace vn"
        + " JOIN pg_description vd ON vd.objoid = vn.oid AND vd.classoid = 'pg_namespace'::regclass"
        + " AND vd.objsubid = 0 WHERE vn.nspname = "
        + nsp
        + " AND left(vd.description, 15) = 'convoy:version ')"
        + (scope.only() == null
            ? ""
            : " AND "
                + nsp
                + " IN ("
                + scope.only().stream().sorted().map(Sql::literal).collect(Collectors.joining(", "))
                + ")");
  }

  /** Objects an extension created are the extension's, not the schema's. */
  private static String notFromExtension(String catalog, String oid) {
    return "NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = '"
        + catalog
        + "'::regclass AND e.objid = "
        + oid
        + " AND e.deptype = 'e')";
  }

  /** The oids of the tables read: not those held for the revert window. */
  static String tableOids(Scope scope) {
    return "SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        + " WHERE c.relkind IN ('r', 'p') AND c.relname !~ '"
        + HELD
        + "' AND "
        + userSchema("n.nspname", scope)
        + " AND "
        + notFromExtension("pg_class", "c.oid");
  }

  static String tables(Scope scope) {
    return "SELECT c.oid::text, "
        + qualified("n.nspname", "c.relname")
        + ", obj_description(c.oid, 'pg_class')"
        + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        + " WHERE c.oid IN ("
        + tableOids(scope)
        + ")";
  }

  /**
   * Columns, without the shadow and retired columns of a type change in progress and the columns
   * held for the revert window.
   */
  static String columns(Scope scope) {
    return "SELECT a.attrelid::text, a.attname, format_type(a.atttypid, a.atttypmod),"
        + " a.attnotnull::text,"
        + " CASE WHEN a.attgenerated = '' THEN pg_get_expr(d.adbin, d.adrelid) END,"
        + " CASE a.attidentity WHEN 'a' THEN 'always' WHEN 'd' THEN 'by default' END,"
        + " CASE WHEN a.attgenerated <> '' THEN pg_get_expr(d.adbin, d.adrelid) END,"
        + " CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation THEN "
        + qualified(
            "CASE cn.nspname WHEN 'pg_catalog' THEN 'public' ELSE cn.nspname END", "co.collname")
        + " END,"
        + " col_description(a.attrelid, a.attnum)"
        + " FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid"
        + " LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
        + " LEFT JOIN pg_collation co ON co.oid = a.attcollation"
        + " LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace"
        + " WHERE a.attrelid IN ("
        + tableOids(scope)
        + ") AND a.attnum > 0 AND NOT a.attisdropped"
        + " AND a.attname !~ '__convoy_(new|old|held)$'"
        // The table's own order: a generated create_table lists columns as they were declared.
        + " ORDER BY a.attrelid, a.attnum";
  }

  private static String names(String rel, String attnums) {
    return "(SELECT json_agg(a.attname ORDER BY k.n) FROM unnest("
        + attnums
        + ") WITH ORDINALITY k(att, n) JOIN pg_attribute a ON a.attrelid = "
        + rel
        + " AND a.attnum = k.att)::text";
  }

  /**
   * Primary keys, unique, foreign key and check constraints; not the checks that prove a NOT NULL
   * on the way to SET NOT NULL ({@code convoy_nn_*}), nor exclusion constraints (not modelled).
   * {@code nullsNotDistinct} is read from the backing index where the server has it (15+).
   */
  static String constraints(Scope scope, boolean nullsNotDistinct) {
    return "SELECT c.conrelid::text, c.conname, c.contype::text, "
        + names("c.conrelid", "c.conkey")
        + ", CASE WHEN c.contype = 'f' THEN "
        + qualified("rn.nspname", "r.relname")
        + " END, "
        + names("c.confrelid", "c.confkey")
        + ", c.confdeltype::text, c.confupdtype::text, c.condeferrable::text, c.condeferred::text,"
        + " pg_get_constraintdef(c.oid), "
        + (nullsNotDistinct
            ? "(SELECT i.indnullsnotdistinct::text FROM pg_index i WHERE i.indexrelid = c.conindid)"
            : "NULL")
        + " FROM pg_constraint c"
        + " LEFT JOIN pg_class r ON r.oid = c.confrelid"
        + " LEFT JOIN pg_namespace rn ON rn.oid = r.relnamespace"
        + " WHERE c.conrelid IN ("
        + tableOids(scope)
        + ") AND c.contype IN ('p', 'u', 'f', 'c')"
        + " AND NOT (c.contype = 'c' AND c.conname LIKE 'convoy\\_nn\\_%')";
  }

  /**
   * Valid indexes that back no constraint, without a type change's copies ({@code convoy_ix_*}).
   * Keys are listed only when every one is a plain column with its default operator class,
   * collation and order, and nothing is INCLUDEd.
   */
  static String indexes(Scope scope) {
    String plain =
        "i.indnkeyatts = i.indnatts AND i.indexprs IS NULL"
            + " AND NOT EXISTS (SELECT 1 FROM unnest(i.indoption::int2[]) o WHERE o <> 0)"
            + " AND NOT EXISTS (SELECT 1 FROM unnest(i.indkey::int2[], i.indclass::oid[],"
            + " i.indcollation::oid[]) u(att, cls, coll)"
            + " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = u.att"
            + " JOIN pg_opclass oc ON oc.oid = u.cls"
            + " WHERE u.att = 0 OR NOT oc.opcdefault OR u.coll <> a.attcollation)";
    return "SELECT i.indrelid::text, ic.relname, i.indisunique::text, am.amname,"
        + " CASE WHEN "
        + plain
        + " THEN "
        + names("i.indrelid", "i.indkey::int2[]")
        + " END,"
        + " pg_get_expr(i.indpred, i.indrelid), pg_get_indexdef(i.indexrelid),"
        + " obj_description(i.indexrelid, 'pg_class')"
        + " FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid"
        + " JOIN pg_am am ON am.oid = ic.relam"
        + " WHERE i.indrelid IN ("
        + tableOids(scope)
        + ") AND i.indisvalid AND ic.relname NOT LIKE 'convoy\\_ix\\_%'"
        + " AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid"
        + " AND k.conrelid = i.indrelid AND k.contype IN ('p', 'u', 'x'))";
  }

  static String enums(Scope scope) {
    return "SELECT "
        + qualified("n.nspname", "t.typname")
        + ", (SELECT json_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_enum e"
        + " WHERE e.enumtypid = t.oid)::text, obj_description(t.oid, 'pg_type')"
        + " FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace"
        + " WHERE t.typtype = 'e' AND "
        + userSchema("n.nspname", scope)
        + " AND "
        + notFromExtension("pg_type", "t.oid");
  }

  /** Sequences but an identity column's own; {@code owned_by} for a serial's. */
  static String sequences(Scope scope) {
    return "SELECT "
        + qualified("n.nspname", "c.relname")
        + ", format_type(s.seqtypid, NULL), s.seqstart::text, s.seqincrement::text,"
        + " s.seqmin::text, s.seqmax::text, s.seqcache::text, s.seqcycle::text,"
        + " (SELECT "
        + qualified("tn.nspname", "t.relname")
        + " || '.' || a.attname FROM pg_depend d JOIN pg_class t ON t.oid = d.refobjid"
        + " JOIN pg_namespace tn ON tn.oid = t.relnamespace"
        + " JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid"
        + " WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid"
        + " AND d.refclassid = 'pg_class'::regclass AND d.deptype = 'a' AND d.refobjsubid > 0"
        + " LIMIT 1), obj_description(c.oid, 'pg_class')"
        + " FROM pg_class c JOIN pg_sequence s ON s.seqrelid = c.oid"
        + " JOIN pg_namespace n ON n.oid = c.relnamespace"
        + " WHERE c.relkind = 'S' AND "
        + userSchema("n.nspname", scope)
        + " AND "
        + notFromExtension("pg_class", "c.oid")
        + " AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass"
        + " AND d.objid = c.oid AND d.deptype = 'i')"
        // A serial of a table or column held for the revert window went with it.
        + " AND NOT EXISTS (SELECT 1 FROM pg_depend d JOIN pg_class t ON t.oid = d.refobjid"
        + " JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid"
        + " WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'a'"
        + " AND d.refclassid = 'pg_class'::regclass AND (t.relname ~ '"
        + HELD
        + "' OR a.attname ~ '"
        + HELD
        + "'))";
  }

  /** What a contract keeps for the revert window: a column or table with this ending. */
  private static final String HELD = "__convoy_held$";
}
