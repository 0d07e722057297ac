package dev.convoy.agent.versions;

import dev.convoy.agent.db.TextSession;
import dev.convoy.ops.Sql;
import dev.convoy.versions.VersionNames;
import dev.convoy.versions.VersionShapes;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the database says about application versions: the version schemas (marked by their comment
 * {@code convoy:version <revision>}), the views Convoy made in them (marked {@code convoy:view
 * <hash>} with a hash of their definition, so an unchanged view is left alone), and the physical
 * tables the views are built over.
 */
public final class VersionCatalog {
  static final String VIEW_MARK = "convoy:view ";

  private final TextSession db;
  private final String stateSchema;

  public VersionCatalog(TextSession db, String stateSchema) {
    this.db = db;
    this.stateSchema = stateSchema;
  }

  public String stateSchema() {
    return stateSchema;
  }

  /** Version schema name -> the revision it stands for, for every version in the database. */
  public Map<String, String> versions() {
    Map<String, String> out = new LinkedHashMap<>();
    for (String[] r :
        db.rows(
            "SELECT n.nspname::text, substr(d.description, "
                + (VersionNames.SCHEMA_MARK.length() + 2)
                + ") FROM pg_namespace n JOIN pg_description d ON d.objoid = n.oid"
                + " AND d.classoid = 'pg_namespace'::regclass AND d.objsubid = 0"
                + " WHERE left(d.description, "
                + (VersionNames.SCHEMA_MARK.length() + 1)
                + ") = "
                + Sql.literal(VersionNames.SCHEMA_MARK + " ")
                + " ORDER BY 1")) {
      if (VersionNames.revisionOf(stateSchema, r[0]).filter(r[1]::equals).isPresent()) {
        out.put(r[0], r[1]);
      }
    }
    return out;
  }

  /** The statements creating {@code revision}'s version schema when it is missing. */
  String ensureSql(String revision) {
    String schema = Sql.ident(VersionNames.of(stateSchema, revision));
    return "CREATE SCHEMA IF NOT EXISTS "
        + schema
        + "; COMMENT ON SCHEMA "
        + schema
        + " IS "
        + Sql.literal(VersionNames.SCHEMA_MARK + " " + revision)
        + "; GRANT USAGE ON SCHEMA "
        + schema
        + " TO PUBLIC";
  }

  /** Views Convoy made, by "schema.view", with their definition hash. */
  Map<String, String> views(java.util.Collection<String> schemas) {
    Map<String, String> out = new LinkedHashMap<>();
    if (schemas.isEmpty()) {
      return out;
    }
    String in = String.join(", ", schemas.stream().map(Sql::literal).toList());
    for (String[] r :
        db.rows(
            "SELECT n.nspname::text, c.relname::text, d.description FROM pg_class c"
                + " JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " JOIN pg_description d ON d.objoid = c.oid AND d.classoid = 'pg_class'::regclass"
                + " AND d.objsubid = 0 WHERE c.relkind = 'v' AND n.nspname IN ("
                + in
                + ") AND left(d.description, "
                + VIEW_MARK.length()
                + ") = "
                + Sql.literal(VIEW_MARK))) {
      out.put(key(r[0], r[1]), r[2].substring(VIEW_MARK.length()));
    }
    return out;
  }

  static String key(String schema, String view) {
    return Sql.ident(schema) + "." + Sql.ident(view);
  }

  /**
   * The physical table {@code name} resolves to on Convoy's connection, with its columns; empty
   * when its bare name finds another table first (a version's view is named by the bare name, so it
   * would stand for the wrong table): such a table is not versioned.
   */
  Optional<VersionShapes.PhysicalTable> table(String name) {
    List<String[]> rows =
        db.rows(
            "SELECT format('%I.%I', n.nspname, c.relname), c.relname::text, a.attname::text"
                + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT"
                + " a.attisdropped WHERE c.oid = to_regclass("
                + Sql.literal(Sql.name(name))
                + ") AND c.relkind IN ('r', 'p') AND to_regclass(format('%I', c.relname)) = c.oid"
                + " ORDER BY a.attnum");
    if (rows.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new VersionShapes.PhysicalTable(
            rows.get(0)[0], rows.get(0)[1], rows.stream().map(r -> r[2]).toList()));
  }

  /**
   * Tables with a column Convoy keeps beside the application's ({@code <c>__convoy_held} for the
   * revert window, a shadow or retired column), as qualified names.
   */
  List<String> tablesWithHelperColumns() {
    return db
        .rows(
            "SELECT DISTINCT format('%I.%I', n.nspname, c.relname) FROM pg_attribute a"
                + " JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid ="
                + " c.relnamespace WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN"
                + " ('r', 'p') AND a.attname ~ '__convoy_[a-z]+$' AND n.nspname <> "
                + Sql.literal(stateSchema))
        .stream()
        .map(r -> r[0])
        .toList();
  }

  /** PostgreSQL 15 and later check a view's privileges as its user ({@code security_invoker}). */
  boolean securityInvoker() {
    return Integer.parseInt(db.value("SELECT current_setting('server_version_num')")) >= 150000;
  }

  /** The search path a new session of this database gets when nothing chooses another. */
  public String defaultSearchPath() {
    return db.value("SELECT reset_val FROM pg_settings WHERE name = 'search_path'");
  }

  /**
   * The view belongs to the table's owner when Convoy may give it away (it is the owner, a member,
   * or a superuser), and grants what the table grants (its default privileges when it never granted
   * any), so whoever may use the table may use its view, and nobody else.
   */
  static String grantsSql(String view, String base) {
    return "DO $convoy$ DECLARE g record; BEGIN"
        + " BEGIN EXECUTE format('ALTER VIEW %s OWNER TO %I', "
        + Sql.literal(view)
        + ", (SELECT r.rolname FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner WHERE c.oid = "
        + Sql.literal(base)
        + "::regclass)); EXCEPTION WHEN insufficient_privilege THEN NULL; END;"
        + " FOR g IN SELECT a.privilege_type AS p,"
        + " CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(r.rolname) END AS who"
        + " FROM pg_class c CROSS JOIN LATERAL aclexplode(coalesce(c.relacl, acldefault('r',"
        + " c.relowner))) a LEFT JOIN pg_roles r ON r.oid = a.grantee WHERE c.oid = "
        + Sql.literal(base)
        + "::regclass AND a.privilege_type IN ('SELECT', 'INSERT', 'UPDATE', 'DELETE')"
        + " LOOP EXECUTE format('GRANT %s ON %s TO %s', g.p, "
        + Sql.literal(view)
        + ", g.who); END LOOP; END $convoy$";
  }
}
