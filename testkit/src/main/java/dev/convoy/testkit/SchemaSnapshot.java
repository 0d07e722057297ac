package dev.convoy.testkit;

/**
 * A database's schema {@code public} and its data as one text, for comparing two databases that
 * should have reached the same state by different paths: columns (type, NOT NULL, default,
 * identity, comment), indexes, constraints (with validity), triggers, functions, sequences, and
 * each table's rows (as JSON, so column order does not matter).
 */
public final class SchemaSnapshot {
  private SchemaSnapshot() {}

  public static String of(TestDatabase db) {
    String schema =
        db.scalar(
            "SELECT string_agg(x, E'\\n' ORDER BY x) FROM ("
                + " SELECT 'column ' || c.relname || '.' || a.attname || ' '"
                + "   || format_type(a.atttypid, a.atttypmod)"
                + "   || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END"
                + "   || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')"
                + "   || CASE WHEN a.attidentity <> '' THEN ' identity ' || a.attidentity::text ELSE '' END"
                + "   || coalesce(' comment ' || col_description(c.oid, a.attnum), '') AS x"
                + " FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
                + " LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
                + " WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'"
                + " AND a.attnum > 0 AND NOT a.attisdropped"
                + " UNION ALL SELECT 'index ' || pg_get_indexdef(i.indexrelid)"
                + "   || CASE WHEN i.indisvalid THEN '' ELSE ' INVALID' END"
                + " FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid"
                + " WHERE c.relnamespace = 'public'::regnamespace"
                + " UNION ALL SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' '"
                + "   || pg_get_constraintdef(oid) || CASE WHEN convalidated THEN '' ELSE ' NOT VALID' END"
                + " FROM pg_constraint WHERE connamespace = 'public'::regnamespace"
                + " UNION ALL SELECT 'trigger ' || tgrelid::regclass || ' ' || tgname FROM pg_trigger"
                + " WHERE NOT tgisinternal"
                + " UNION ALL SELECT 'function ' || proname FROM pg_proc"
                + " WHERE pronamespace = 'public'::regnamespace"
                + " UNION ALL SELECT 'sequence ' || relname FROM pg_class"
                + " WHERE relkind = 'S' AND relnamespace = 'public'::regnamespace) s");
    // Every table's rows in the same statement: one round trip however many tables there are.
    String rows =
        db.scalar(
            "SELECT string_agg('rows ' || relname || ' ' || (xpath('/row/h/text()',"
                + " query_to_xml(format('SELECT count(*) || '' '' || coalesce(md5(string_agg("
                + "to_jsonb(r)::text, '','' ORDER BY to_jsonb(r)::text)), '''') AS h"
                + " FROM %I.%I r', 'public', relname), false, true, '')))[1]::text, E'\\n'"
                + " ORDER BY relname) FROM pg_class"
                + " WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace");
    StringBuilder out = new StringBuilder(schema == null ? "" : schema);
    if (rows != null) {
      out.append('\n').append(rows);
    }
    return out.toString();
  }
}
