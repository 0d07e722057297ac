package dev.convoy.versions;

import dev.convoy.ops.Sql;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One table as one application version sees it: a view named {@code name} in the version's schema
 * over the physical table {@code base}, each column a physical column under its visible name. A
 * view over one table that only selects and renames columns is auto-updatable, so the version reads
 * and writes through it; PostgreSQL binds it to the table and columns themselves, so it survives
 * the physical renames contract makes.
 */
public record TableView(String name, String base, List<Column> columns) {
  public TableView {
    columns = List.copyOf(columns);
  }

  /** A visible column and the physical column behind it. */
  public record Column(String name, String source) {}

  /**
   * The CREATE VIEW statement in {@code schema}. {@code securityInvoker}: check privileges (and row
   * security) as the querying user, as a direct query would (PostgreSQL 15 and later).
   */
  public String createSql(String schema, boolean securityInvoker) {
    String select =
        columns.stream()
            .map(
                c ->
                    c.source().equals(c.name())
                        ? Sql.ident(c.name())
                        : Sql.ident(c.source()) + " AS " + Sql.ident(c.name()))
            .collect(Collectors.joining(", "));
    return "CREATE VIEW "
        + Sql.ident(schema)
        + "."
        + Sql.ident(name)
        + (securityInvoker ? " WITH (security_invoker = true)" : "")
        + " AS SELECT "
        + select
        + " FROM "
        + base;
  }
}
