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
    boolean direct)
    implements Operation {

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
        true);
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
      if (direct || contracted) {
        // An explicit cast back: text to integer, say, has no implicit one.
        out.addAll(directType(fromType, c() + "::" + fromType));
      } else {
        out.add(DdlStep.of(Phase.EXPAND, undoShadow(), "drop the shadow column"));
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
                    + syncBody(s)
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
            TypeSwap.swap(table, column, dropSync()),
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
        DdlStep.separate(
            Phase.CONTRACT,
            Statement.tx(DropColumn.dropSql(table, Names.retiredColumn(column), true)),
            "drop the old column"));
    return out;
  }

  /**
   * The body of the trigger keeping the column and its shadow in step, both ways: a write in the
   * old shape (the column set, the shadow not, or set to what the column converts to) sets the
   * shadow from the column; a write in the new shape (through the new version's view, which shows
   * the shadow under the column's name) sets the column from the shadow with the reverse
   * conversion, so the old version reads it. Comparing with the converted value, rather than asking
   * who wrote, also keeps the backfill's own updates (shadow := conversion) from touching the old
   * column. Without {@code from_type} there is no way back, and the old column keeps its value.
   */
  private String syncBody(String s) {
    String row = " FROM (SELECT NEW.*) AS " + Sql.ident(Sql.simpleName(table)) + ")";
    String fwd = "(SELECT " + conversion(column) + row;
    String back =
        fromType == null ? null : "(SELECT " + reverseConversion(Names.shadowColumn(column)) + row;
    String toOld = back == null ? "NULL;" : "NEW." + c() + " := " + back + ";";
    return "DECLARE fwd "
        + type
        + " := "
        + fwd
        + "; BEGIN IF TG_OP = 'INSERT' THEN IF NEW."
        + s
        + " IS NULL OR NEW."
        + s
        + " IS NOT DISTINCT FROM fwd THEN NEW."
        + s
        + " := fwd; ELSE "
        + toOld
        + " END IF; ELSIF NEW."
        + c()
        + " IS DISTINCT FROM OLD."
        + c()
        + " THEN NEW."
        + s
        + " := fwd; ELSIF NEW."
        + s
        + " IS DISTINCT FROM OLD."
        + s
        + " AND NEW."
        + s
        + " IS DISTINCT FROM fwd THEN "
        + toOld
        + " END IF; RETURN NEW; END";
  }

  /** The old type's value from {@code from}, a column of the new type (needs {@code from_type}). */
  public String reverseConversion(String from) {
    return "CAST(" + Sql.ident(from) + " AS " + fromType + ")";
  }

  /**
   * Undoes a shadow type change that did not finish: drops the shadow column (and the index copies
   * on it), or, when the swap already happened, turns the column back into its old type and drops
   * the old one.
   */
  private Statement undoShadow() {
    String retired = Names.retiredColumn(column);
    String back =
        fromType == null
            ? ""
            : "IF EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass("
                + Sql.literal(t())
                + ") AND attname = "
                + Sql.literal(retired)
                + " AND NOT attisdropped) THEN ALTER TABLE "
                + t()
                + " ALTER COLUMN "
                + c()
                + " TYPE "
                + fromType
                + "; ALTER TABLE "
                + t()
                + " DROP COLUMN "
                + Sql.ident(retired)
                + "; END IF;";
    return Statement.tx(
        dropSync()
            + ";\n"
            + DropColumn.dropSql(table, Names.shadowColumn(column), true)
            + ";\nDO $convoy$ BEGIN "
            + back
            + " END $convoy$");
  }

  private String dropSync() {
    String shadow = Names.shadowColumn(column);
    return "DROP TRIGGER IF EXISTS "
        + Sql.ident(Names.fillTrigger(shadow))
        + " ON "
        + t()
        + "; DROP FUNCTION IF EXISTS "
        + Sql.name(Names.fillFunction(table, shadow))
        + "()";
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
