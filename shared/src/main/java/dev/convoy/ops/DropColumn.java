package dev.convoy.ops;

import java.util.List;
import java.util.Optional;

/**
 * {@code drop_column}: reversible when the migration keeps the column's type. With a {@link Hold}
 * (a revert window), contract renames the column out of the way instead of dropping it ({@link
 * HeldSql}), and a downgrade inside the window brings it back with its data. {@code down} is an
 * optional SQL expression over the row that keeps the held copy current for rows written since.
 */
public record DropColumn(String table, ColumnSpec column, String down, Hold hold)
    implements Operation {
  public DropColumn(String table, ColumnSpec column) {
    this(table, column, null, null);
  }

  /** The same drop, kept for a revert window (null: dropped at once). */
  public DropColumn withHold(Hold h) {
    return new DropColumn(table, column, down, h);
  }

  @Override
  public String kind() {
    return "drop_column";
  }

  @Override
  public String describe() {
    return "drop_column " + table + "." + column.name();
  }

  /** Destructive, so it waits for the contract phase: after the new application is deployed. */
  @Override
  public List<Step> upgradeSteps() {
    return Steps.inContract(this);
  }

  @Override
  public List<Step> downgradeSteps(boolean contracted) {
    if (!contracted) {
      // Undoing a failed upgrade: a hold that committed before the failure is brought back (each
      // step does nothing when nothing is held).
      return hold == null ? List.of() : RestoreSql.restoreColumn(hold, table, column.name());
    }
    if (hold != null && hold.found() == Hold.Found.IN_WINDOW) {
      return RestoreSql.restoreColumn(hold, table, column.name());
    }
    List<Step> readd = Operation.super.downgradeSteps(true);
    if (hold != null && hold.found() == Hold.Found.EXPIRED) {
      return Steps.concat(
          List.of(
              DdlStep.of(
                  Phase.EXPAND,
                  Statement.tx(
                      RestoreSql.discardColumn(hold, table, Names.heldName(column.name()))
                          + ";\n"
                          + RestoreSql.forget(hold)),
                  "drop the expired held copy of " + table + "." + column.name())),
          readd);
    }
    if (hold != null) {
      // Purged: re-added empty, and the purged row forgotten with the revision.
      return Steps.concat(
          readd,
          List.of(
              DdlStep.of(
                  Phase.EXPAND,
                  Statement.tx(RestoreSql.forget(hold)),
                  "forget the purged copy of " + table + "." + column.name())));
    }
    return readd;
  }

  @Override
  public List<Statement> up(boolean guarded) {
    if (hold != null) {
      return List.of(Statement.tx(HeldSql.holdColumn(hold, table, column.name(), down)));
    }
    return List.of(Statement.tx(dropSql(table, column.name(), guarded)));
  }

  @Override
  public List<Statement> down(boolean guarded) {
    // Re-added as nullable: the dropped values are gone, so NOT NULL could not hold.
    ColumnSpec back =
        new ColumnSpec(column.name(), column.type(), true, column.defaultExpr(), false);
    return new AddColumn(table, back).up(guarded);
  }

  @Override
  public Optional<String> irreversibleReason() {
    return column.type() == null
        ? Optional.of(
            "drop_column "
                + table
                + "."
                + column.name()
                + " does not give the column's type, so it cannot be re-added;"
                + " write the column as {name: ..., type: ...}")
        : Optional.empty();
  }

  static String dropSql(String table, String column, boolean guarded) {
    return "ALTER TABLE "
        + Sql.name(table)
        + " DROP COLUMN "
        + (guarded ? "IF EXISTS " : "")
        + Sql.ident(column);
  }
}
