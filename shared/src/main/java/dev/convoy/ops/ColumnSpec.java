package dev.convoy.ops;

import java.util.Objects;

/** A column as written in a migration: type and default are the author's SQL. */
public record ColumnSpec(
    String name, String type, boolean nullable, String defaultExpr, boolean primaryKey) {
  public ColumnSpec {
    Objects.requireNonNull(name, "name");
  }

  /** The column definition: {@code "name" type [DEFAULT x] [NOT NULL]}. */
  public String definition() {
    StringBuilder sb = new StringBuilder(Sql.ident(name)).append(' ').append(type);
    if (defaultExpr != null) {
      sb.append(" DEFAULT ").append(defaultExpr);
    }
    if (!nullable || primaryKey) {
      sb.append(" NOT NULL");
    }
    return sb.toString();
  }
}
