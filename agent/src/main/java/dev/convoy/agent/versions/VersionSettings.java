package dev.convoy.agent.versions;

import dev.convoy.agent.db.DatabaseUrl;
import dev.convoy.agent.db.JdbcSession;
import dev.convoy.agent.db.TextSession;
import dev.convoy.agent.state.StateStore;
import dev.convoy.error.ConvoyException;
import dev.convoy.error.ErrorCode;
import dev.convoy.ops.Sql;
import dev.convoy.versions.VersionNames;
import java.util.Set;

/**
 * How an application selects a version: the search path that puts the version's schema first, and
 * the per-version login role whose default search path (in this database) does it for the
 * application, for poolers that drop startup options and applications that set search_path
 * themselves.
 */
public final class VersionSettings {
  private final DatabaseUrl url;
  private final String stateSchema;

  public VersionSettings(DatabaseUrl url, String stateSchema) {
    this.url = url;
    this.stateSchema = stateSchema;
  }

  /** What the database says of a revision's version. */
  public record Status(
      String searchPath, boolean schemaExists, boolean applied, boolean expanded) {}

  /** The search path of {@code revision}'s version, and whether the database has it yet. */
  public Status status(String revision, Set<String> appliedClosure) {
    try (TextSession db = JdbcSession.open(url, "convoy version")) {
      return status(db, revision, appliedClosure);
    }
  }

  private Status status(TextSession db, String revision, Set<String> appliedClosure) {
    String name = VersionNames.of(stateSchema, revision);
    VersionCatalog catalog = new VersionCatalog(db, stateSchema);
    String base = catalog.defaultSearchPath();
    boolean exists = catalog.versions().containsKey(name);
    StateStore state = new StateStore(stateSchema);
    boolean expanded = state.expanded(db).contains(revision);
    return new Status(
        searchPath(name, base), exists, appliedClosure.contains(revision) && !expanded, expanded);
  }

  /** {@code name} first, then the database's own path (each name quoted). */
  public static String searchPath(String name, String base) {
    return SearchPath.with(name, base);
  }

  /**
   * Creates (or updates) {@code revision}'s login role: member of {@code inherit} when given (it
   * gets that role's privileges), its search path in this database set to the version's, and a
   * password when given. Answers the search path set.
   */
  public String ensureRole(String revision, String inherit, String password) {
    String role = VersionNames.of(stateSchema, revision);
    try (TextSession db = JdbcSession.open(url, "convoy version")) {
      String path = searchPath(role, new VersionCatalog(db, stateSchema).defaultSearchPath());
      if (inherit != null
          && db.value("SELECT 1 FROM pg_roles WHERE rolname = " + Sql.literal(inherit)) == null) {
        throw new ConvoyException(
            ErrorCode.BAD_INPUT,
            "--inherit "
                + inherit
                + ": no such role in this server. Name the role your application connects as.");
      }
      StringBuilder sql =
          new StringBuilder(
              "DO $convoy$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = "
                  + Sql.literal(role)
                  + ") THEN CREATE ROLE "
                  + Sql.ident(role)
                  + " LOGIN; END IF; END $convoy$;\n");
      if (inherit != null) {
        sql.append("GRANT ").append(Sql.ident(inherit)).append(" TO ").append(Sql.ident(role));
        sql.append(";\n");
      }
      sql.append("ALTER ROLE ")
          .append(Sql.ident(role))
          .append(" IN DATABASE ")
          .append(Sql.ident(db.value("SELECT current_database()")))
          .append(" SET search_path = ")
          .append(path)
          .append(";\n");
      if (password != null) {
        sql.append("ALTER ROLE ")
            .append(Sql.ident(role))
            .append(" PASSWORD ")
            .append(Sql.literal(password))
            .append(";\n");
      }
      try {
        db.execute(sql.toString());
      } catch (RuntimeException e) {
        throw new ConvoyException(
            ErrorCode.MIGRATION_FAILED,
            "Could not create or update role "
                + role
                + ": "
                + e.getMessage()
                + ". The user of --url needs the CREATEROLE privilege (and to be allowed to grant"
                + " the --inherit role).",
            e);
      }
      return path;
    }
  }
}
