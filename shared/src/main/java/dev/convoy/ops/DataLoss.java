package dev.convoy.ops;

/**
 * Data a downgrade would destroy: every row of {@code table}, or the values of {@code column} that
 * differ from {@code defaultExpr} (null: every non-null value).
 */
public record DataLoss(String table, String column, String defaultExpr) {
  /** SQL counting the rows that would be lost. */
  public String countSql() {
    if (column == null) {
      return "SELECT count(*) FROM " + Sql.name(table);
    }
    String c = Sql.ident(column);
    String where =
        defaultExpr == null
            ? c + " IS NOT NULL"
            : c + " IS NOT NULL AND " + c + " IS DISTINCT FROM (" + defaultExpr + ")";
    return "SELECT count(*) FROM " + Sql.name(table) + " WHERE " + where;
  }

  public String describe() {
    return column == null ? "table " + table : "column " + table + "." + column;
  }
}
