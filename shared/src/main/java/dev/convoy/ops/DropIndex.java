package dev.convoy.ops;

import java.util.List;
import java.util.Optional;

/** {@code drop_index}: reversible when the migration keeps the index's table and columns. */
public record DropIndex(String name, boolean concurrently, CreateIndex recreate)
    implements Operation {
  @Override
  public String kind() {
    return "drop_index";
  }

  @Override
  public String describe() {
    return "drop_index " + name;
  }

  @Override
  public List<Statement> up(boolean guarded) {
    return List.of(dropSql(name, concurrently, guarded));
  }

  @Override
  public List<Statement> down(boolean guarded) {
    return recreate.up(guarded);
  }

  @Override
  public Optional<String> irreversibleReason() {
    return recreate == null
        ? Optional.of(
            "drop_index "
                + name
                + " does not give 'table' and 'columns', so the index cannot be recreated;"
                + " add them to the operation")
        : Optional.empty();
  }

  static Statement dropSql(String name, boolean concurrently, boolean guarded) {
    String sql =
        "DROP INDEX "
            + (concurrently ? "CONCURRENTLY " : "")
            + (guarded || concurrently ? "IF EXISTS " : "")
            + Sql.name(name);
    return concurrently ? Statement.outside(sql) : Statement.tx(sql);
  }
}
