package dev.convoy.ops;

import java.util.List;

/** {@code rename_column}: renames; the downgrade renames back. */
public record RenameColumn(String table, String from, String to) implements Operation {
  @Override
  public String kind() {
    return "rename_column";
  }

  @Override
  public String describe() {
    return "rename_column " + table + "." + from + " -> " + to;
  }

  /** Destructive, so it waits for the contract phase: after the new application is deployed. */
  @Override
  public List<Step> upgradeSteps() {
    return Steps.inContract(this);
  }

  @Override
  public List<Step> downgradeSteps(boolean contracted) {
    return contracted ? Operation.super.downgradeSteps(true) : List.of();
  }

  @Override
  public List<Statement> up(boolean guarded) {
    return List.of(Statement.tx(renameSql(from, to, guarded)));
  }

  @Override
  public List<Statement> down(boolean guarded) {
    return List.of(Statement.tx(renameSql(to, from, guarded)));
  }

  private String renameSql(String a, String b, boolean guarded) {
    String rename =
        "ALTER TABLE " + Sql.name(table) + " RENAME COLUMN " + Sql.ident(a) + " TO " + Sql.ident(b);
    if (!guarded) {
      return rename;
    }
    String schema = Sql.schemaOf(table);
    return "DO $convoy$ BEGIN IF EXISTS (SELECT 1 FROM information_schema.columns WHERE"
        + " table_schema = "
        + (schema == null ? "current_schema()" : Sql.literal(schema))
        + " AND table_name = "
        + Sql.literal(Sql.simpleName(table))
        + " AND column_name = "
        + Sql.literal(a)
        + ") THEN "
        + rename
        + "; END IF; END $convoy$";
  }
}
