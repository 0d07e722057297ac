package dev.convoy.agent.schema;

import dev.convoy.agent.db.TextSession;
import dev.convoy.ops.Sql;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a built schema holds that the model ({@link CatalogReader}) does not compare: extensions,
 * views, functions, triggers, partitioning, exclusion constraints, row level security, unlogged
 * tables. Autogenerate and drift would pass over them in silence; they say so instead, one note a
 * kind, so the author writes them in a {@code sql} operation. Extensions are kept by name as well:
 * a declared column type may need one the migrations never create.
 *
 * @param byKind names by kind ({@code "view"}), in a fixed order of kinds, only kinds present
 */
public record Unmodelled(Map<String, List<String>> byKind) {
  /** The kinds, in the order notes are printed, each with its plural. */
  private static final Map<String, String> KINDS = new LinkedHashMap<>();

  static {
    KINDS.put("extension", "extensions");
    KINDS.put("view", "views");
    KINDS.put("materialized view", "materialized views");
    KINDS.put("function", "functions");
    KINDS.put("procedure", "procedures");
    KINDS.put("trigger", "triggers");
    KINDS.put("partitioned table", "partitioned tables");
    KINDS.put("exclusion constraint", "exclusion constraints");
    KINDS.put("table with row level security", "tables with row level security");
    KINDS.put("unlogged table", "unlogged tables");
  }

  public static Unmodelled none() {
    return new Unmodelled(Map.of());
  }

  /** What the database {@code db} is connected to holds, {@code stateSchema} left out. */
  public static Unmodelled read(TextSession db, String stateSchema) {
    String user =
        " NOT IN ('pg_catalog', 'information_schema', "
            + Sql.literal(stateSchema)
            + ") AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'";
    String name = "CASE WHEN n.nspname = 'public' THEN %s ELSE n.nspname || '.' || %s END";
    String rel = name.formatted("c.relname", "c.relname");
    String notExt =
        " AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = '%s'::regclass"
            + " AND e.objid = %s AND e.deptype = 'e')";
    String relations =
        " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname"
            + user
            + notExt.formatted("pg_class", "c.oid");
    String sql =
        "SELECT 'extension', extname FROM pg_extension WHERE extname <> 'plpgsql'"
            + " UNION ALL SELECT CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN"
            + " 'materialized view' ELSE 'partitioned table' END, "
            + rel
            + relations
            + " AND c.relkind IN ('v', 'm', 'p')"
            + " UNION ALL SELECT 'table with row level security', "
            + rel
            + relations
            + " AND c.relkind IN ('r', 'p') AND c.relrowsecurity"
            + " UNION ALL SELECT 'unlogged table', "
            + rel
            + relations
            + " AND c.relkind IN ('r', 'p') AND c.relpersistence = 'u'"
            + " UNION ALL SELECT CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END, "
            + name.formatted("p.proname", "p.proname")
            + " FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname"
            + user
            + notExt.formatted("pg_proc", "p.oid")
            + " UNION ALL SELECT 'trigger', "
            + rel
            + " || '.' || t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
            + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE NOT t.tgisinternal"
            + " AND n.nspname"
            + user
            + " UNION ALL SELECT 'exclusion constraint', "
            + rel
            + " || '.' || k.conname FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid"
            + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE k.contype = 'x'"
            + " AND n.nspname"
            + user
            + " ORDER BY 1, 2";
    Map<String, List<String>> found = new LinkedHashMap<>();
    for (String[] r : db.rows(sql)) {
      found.computeIfAbsent(r[0], k -> new ArrayList<>()).add(r[1]);
    }
    Map<String, List<String>> ordered = new LinkedHashMap<>();
    KINDS
        .keySet()
        .forEach(
            k -> {
              if (found.containsKey(k)) {
                ordered.put(k, List.copyOf(found.get(k)));
              }
            });
    return new Unmodelled(ordered);
  }

  /** The extensions, by name. */
  public List<String> extensions() {
    return byKind.getOrDefault("extension", List.of());
  }

  /**
   * One line a kind, for stderr: {@code note: the declared schema has 2 views (v1, v2) that
   * autogenerate does not compare; write them in a sql operation}; {@code what} names the schema
   * and {@code who} the command.
   */
  public List<String> notes(String what, String who) {
    List<String> out = new ArrayList<>();
    byKind.forEach(
        (kind, names) ->
            out.add(
                "note: "
                    + what
                    + " has "
                    + names.size()
                    + " "
                    + (names.size() == 1 ? kind : KINDS.get(kind))
                    + " ("
                    + String.join(", ", names)
                    + ") that "
                    + who
                    + " does not compare; write "
                    + (names.size() == 1 ? "it" : "them")
                    + " in a sql operation"));
    return out;
  }
}
