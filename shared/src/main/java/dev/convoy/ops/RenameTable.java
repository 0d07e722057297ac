package dev.convoy.ops;

import java.util.List;

/**
 * {@code rename_table}: the physical rename waits for contract; until then the new version sees the
 * table under its new name through its version schema's view (see {@code dev.convoy.versions}). The
 * downgrade renames back. {@code to} is a bare name: the table stays in its schema.
 */
public record RenameTable(String table, String to) implements Operation {
  @Override
  public String kind() {
    return "rename_table";
  }

  @Override
  public String describe() {
    return "rename_table " + table + " -> " + to;
  }

  /** Renaming breaks applications that name the old table, so it waits for contract. */
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
    return List.of(Statement.tx(renameSql(table, to, guarded)));
  }

  @Override
  public List<Statement> down(boolean guarded) {
    String schema = Sql.schemaOf(table);
    String renamed = schema == null ? to : schema + "." + to;
    return List.of(Statement.tx(renameSql(renamed, Sql.simpleName(table), guarded)));
  }

  /** The table's name once renamed, in its schema. */
  public String renamed() {
    String schema = Sql.schemaOf(table);
    return schema == null ? to : schema + "." + to;
  }

  private static String renameSql(String from, String to, boolean guarded) {
    return "ALTER TABLE "
        + (guarded ? "IF EXISTS " : "")
        + Sql.name(from)
        + " RENAME TO "
        + Sql.ident(to);
  }
}
