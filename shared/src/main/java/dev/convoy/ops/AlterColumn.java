package dev.convoy.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code alter_column}: type, default and nullability.
 *
 * <p>A type change PostgreSQL can make without rewriting the table (varchar to text, a longer
 * varchar) runs directly; the agent checks the catalog and sets {@code direct}. Any other type
 * change would hold ACCESS EXCLUSIVE while every row is rewritten, so it goes through a shadow
 * column: expand refuses what cannot be carried over (views, rules, generated columns, exclusion
 * constraints, partitioning: named in the error), adds {@code c__convoy_new} and a trigger keeping
 * it in sync with what the old application writes; backfill copies existing rows in batches;
 * contract carries NOT NULL over, copies every index on the column concurrently, then swaps the
 * columns in one short transaction that carries the constraints, the foreign keys on both sides,
 * the default, the sequence or identity and the index names over ({@link TypeSwap}), validates the
 * carried constraints without blocking writes, and drops the old column.
 */
public record AlterColumn(
    String table,
    String column,
    String type,
    String using,
    String fromType,
    String defaultExpr,
    boolean dropDefault,
    String fromDefault,
    Boolean nullable,
    boolean direct,
    String downUsing,
    Hold hold)
    implements Operation {

  public AlterColumn(
      String table,
      String column,
      String type,
      String using,
      String fromType,
      String defaultExpr,
      boolean dropDefault,
      String fromDefault,
      Boolean nullable,
      boolean direct) {
    this(
        table,
        column,
        type,
        using,
        fromType,
        defaultExpr,
        dropDefault,
        fromDefault,
        nullable,
        direct,
        null,
        null);
  }

  /** The same change, run as a direct ALTER TYPE (the catalog says it needs no rewrite). */
  public AlterColumn withDirect() {
    return new AlterColumn(
        table,
        column,
        type,
        using,
        fromType,
        defaultExpr,
        dropDefault,
        fromDefault,
        nullable,
        true,
        downUsing,
        hold);
  }

  /**
   * The same change, its old column kept for a revert window ({@link TypeHold}). A change whose old
   * column is held went through a shadow column, whatever the catalog says now (after it the column
   * already has the new type): it is undone as one, phased.
   */
  public AlterColumn withHold(Hold h) {
    return new AlterColumn(
        table,
        column,
        type,
        using,
        fromType,
        defaultExpr,
        dropDefault,
        fromDefault,
        nullable,
        direct && h.found() != Hold.Found.IN_WINDOW,
        downUsing,
        h);
  }

  /** The type change back, old type from new, as a shadow change (used to swap back). */
  AlterColumn reverse() {
    return new AlterColumn(
        table,
        column,
        fromType,
        reverseConversion(column),
        type,
        null,
        false,
        null,
        null,
        false,
        null,
        null);
  }

  /**
   * The columns a shadow type change in progress leaves on the table: the shadow (before the swap)
   * and the retired one (after it). While either exists, the change must resume as a shadow change.
   */
  public List<String> inFlightColumns() {
    return List.of(Names.shadowColumn(column), Names.retiredColumn(column));
  }

  private static final String SWAP = "swap ";

  /**
   * True for the step that swaps the new column in: once it ran, going back means rewriting the
   * table under an exclusive lock, which Convoy does only when asked (a downgrade), never to undo a
   * failure on its own.
   */
  public static boolean isSwap(Step step) {
    return step instanceof DdlStep d
        && d.phase() == Phase.CONTRACT
        && d.describe().startsWith(SWAP);
  }

  @Override
  public String kind() {
    return "alter_column";
  }

  @Override
  public String describe() {
    return "alter_column " + table + "." + column + (type == null ? "" : " type " + type);
  }

  private String t() {
    return Sql.name(table);
  }

  private String c() {
    return Sql.ident(column);
  }

  private String conversion(String from) {
    return using != null ? using : Sql.ident(from) + "::" + type;
  }

  /**
   * The old-type value of a row, from the new-type column {@code fromColumn}: {@code down_using}
   * (SQL over the row) when given, else {@code CAST(<fromColumn> AS <from_type>)}. Keeps a held old
   * column current during the revert window.
   */
  public String reverseConversion(String fromColumn) {
    return downUsing != null
        ? downUsing
        : "CAST(" + Sql.ident(fromColumn) + " AS " + fromType + ")";
  }

  @Override
  public List<Step> upgradeSteps() {
    List<Step> out = new ArrayList<>();
    if (type != null) {
      out.addAll(direct ? directType(type, using) : shadowType());
    }
    if (defaultExpr != null || dropDefault) {
      out.add(
          DdlStep.of(
              Phase.EXPAND, defaultSql(dropDefault ? null : defaultExpr), describe() + " default"));
    }
    if (Boolean.FALSE.equals(nullable)) {
      out.addAll(new SetNotNull(table, column, null).upgradeSteps());
    } else if (Boolean.TRUE.equals(nullable)) {
      out.add(DdlStep.of(Phase.EXPAND, DropNotNull.sql(table, column), "drop not null"));
    }
    return out;
  }

  @Override
  public List<Step> downgradeSteps(boolean contracted) {
    List<Step> out = new ArrayList<>();
    if (Boolean.FALSE.equals(nullable)) {
      out.addAll(new SetNotNull(table, column, null).downgradeSteps(contracted));
    } else if (Boolean.TRUE.equals(nullable)) {
      out.addAll(new DropNotNull(table, column).downgradeSteps(true));
    }
    if (defaultExpr != null || dropDefault) {
      out.add(DdlStep.of(Phase.EXPAND, defaultSql(fromDefault), "restore the default"));
    }
    if (type != null) {
      if (contracted && hold != null && hold.found() == Hold.Found.IN_WINDOW) {
        out.addAll(TypeHold.swapBack(this, hold));
      } else if (direct || contracted) {
        if (hold != null && hold.found() == Hold.Found.EXPIRED) {
          out.add(
              DdlStep.of(
                  Phase.EXPAND,
                  Statement.tx(
                      RestoreSql.discardColumn(hold, table, Names.heldName(column))
                          + ";\n"
                          + RestoreSql.forget(hold)),
                  "drop the expired held copy of " + table + "." + column));
        }
        // An explicit cast back: text to integer, say, has no implicit one.
        out.addAll(directType(fromType, c() + "::" + fromType));
      } else {
        out.add(
            DdlStep.of(
                Phase.EXPAND,
                TypeSwap.undoShadow(table, column, fromType),
                "drop the shadow column"));
        out.add(
            DdlStep.of(
                Phase.EXPAND,
                TypeSwap.validateCarried(table),
                "validate the constraints a swap carried over"));
      }
    }
    return out;
  }

  @Override
  public Optional<String> irreversibleReason() {
    return type != null && fromType == null
        ? Optional.of(
            describe()
                + " does not say the column's previous type; add 'from_type:' so the change can be"
                + " undone")
        : Optional.empty();
  }

  private List<Step> directType(String to, String usingExpr) {
    return List.of(
        DdlStep.of(
            Phase.EXPAND,
            Statement.tx(
                "ALTER TABLE "
                    + t()
                    + " ALTER COLUMN "
                    + c()
                    + " TYPE "
                    + to
                    + (usingExpr == null ? "" : " USING " + usingExpr)),
            "alter " + table + "." + column + " type " + to));
  }

  private List<Step> shadowType() {
    String shadow = Names.shadowColumn(column);
    String s = Sql.ident(shadow);
    String fn = Sql.name(Names.fillFunction(table, shadow));
    List<Step> out = new ArrayList<>();
    out.add(
        DdlStep.of(
            Phase.EXPAND,
            TypeSwap.refuseUncarried(table, column, type),
            "check everything on " + table + "." + column + " can be carried over"));
    out.add(
        DdlStep.of(
            Phase.EXPAND,
            Statement.tx("ALTER TABLE " + t() + " ADD COLUMN IF NOT EXISTS " + s + " " + type),
            "add shadow column " + shadow + " " + type));
    out.add(
        DdlStep.of(
            Phase.EXPAND,
            Statement.tx(
                "CREATE OR REPLACE FUNCTION "
                    + fn
                    + "() RETURNS trigger LANGUAGE plpgsql AS $convoy$ "
                    + TypeSync.body(table, column, type, fromType, conversion(column))
                    + " $convoy$;\nCREATE OR REPLACE TRIGGER "
                    + Sql.ident(Names.fillTrigger(shadow))
                    + " BEFORE INSERT OR UPDATE OF "
                    + c()
                    + ", "
                    + s
                    + " ON "
                    + t()
                    + " FOR EACH ROW EXECUTE FUNCTION "
                    + fn
                    + "()"),
            "sync trigger between " + column + " and " + shadow));
    out.add(
        new BackfillStep(
            table,
            java.util.Map.of(shadow, conversion(column)),
            null,
            "copy " + table + "." + column + " into " + shadow));
    out.add(
        DdlStep.separate(
            Phase.CONTRACT,
            TypeSwap.refuseUncarried(table, column, type),
            "check everything on " + table + "." + column + " can still be carried over"));
    out.addAll(TypeSwap.carryNotNull(table, column));
    out.add(
        DdlStep.of(
            Phase.CONTRACT,
            TypeSwap.copyIndexes(table, column),
            "copy the indexes on " + column + " to " + shadow + " (CONCURRENTLY)"));
    out.add(
        DdlStep.separate(
            Phase.CONTRACT,
            TypeSwap.swap(table, column, TypeSwap.dropSync(table, column)),
            SWAP + column + " and " + shadow + " with their indexes and constraints"));
    out.add(
        DdlStep.of(
            Phase.CONTRACT,
            TypeSwap.validateCarried(table),
            "validate the constraints carried over to " + table + "." + column));
    out.add(
        DdlStep.separate(
            Phase.CONTRACT,
            Statement.tx("ANALYZE " + t() + " (" + c() + ")"),
            "analyze " + table + "." + column));
    out.add(
        hold == null
            ? DdlStep.separate(
                Phase.CONTRACT,
                Statement.tx(DropColumn.dropSql(table, Names.retiredColumn(column), true)),
                "drop the old column")
            : DdlStep.separate(
                Phase.CONTRACT,
                TypeHold.hold(this, hold),
                "keep the old column for the revert window"));
    return out;
  }

  private Statement defaultSql(String expr) {
    return Statement.tx(
        "ALTER TABLE "
            + t()
            + " ALTER COLUMN "
            + c()
            + (expr == null ? " DROP DEFAULT" : " SET DEFAULT " + expr));
  }
}
