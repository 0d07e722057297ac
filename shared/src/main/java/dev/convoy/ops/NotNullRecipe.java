package dev.convoy.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How a column becomes NOT NULL without a long lock, used by add_column (NOT NULL with backfill)
 * and set_not_null.
 *
 * <p>Expand installs a trigger that fills the column for rows the old application inserts or
 * updates without it (BEFORE INSERT OR UPDATE OF the other columns, WHEN the value is NULL: the
 * backfill's own updates, which set only this column, do not fire it). Backfill fills existing rows
 * in keyset batches; between the two no NULL is left, so contract needs no sweep. Contract adds
 * {@code CHECK (c IS NOT NULL) NOT VALID} (an instant catalog change), validates it (a scan that
 * blocks no reads or writes), then SET NOT NULL, which PostgreSQL proves from the valid check
 * without a scan, and drops the check and the trigger.
 */
final class NotNullRecipe {
  private final String table;
  private final String column;
  private final String fill;
  private final boolean notNull;

  /**
   * {@code fill} is the author's SQL expression over the row (null: no backfill); {@code notNull}
   * false fills without constraining.
   */
  NotNullRecipe(String table, String column, String fill, boolean notNull) {
    this.table = table;
    this.column = column;
    this.fill = fill;
    this.notNull = notNull;
  }

  private String what() {
    return table + "." + column;
  }

  List<Step> expand() {
    if (fill == null) {
      return List.of();
    }
    String fn = Sql.name(Names.fillFunction(table, column));
    String c = Sql.ident(column);
    return List.of(
        DdlStep.of(
            Phase.EXPAND,
            Statement.tx(
                "CREATE OR REPLACE FUNCTION "
                    + fn
                    + "() RETURNS trigger LANGUAGE plpgsql AS $convoy$ BEGIN NEW."
                    + c
                    + " := (SELECT "
                    + fill
                    + " FROM (SELECT NEW.*) AS "
                    + Sql.ident(Sql.simpleName(table))
                    + "); RETURN NEW; END $convoy$"),
            "fill function for " + what()),
        DdlStep.of(
            Phase.EXPAND,
            // UPDATE OF every other column: the old application's updates fire it, the backfill's
            // own (which set only this column) do not, which would cost a third of its speed.
            Statement.tx(
                "DO $convoy$ DECLARE cols text; BEGIN SELECT string_agg(quote_ident(attname), ', '"
                    + " ORDER BY attnum) INTO cols FROM pg_attribute WHERE attrelid = to_regclass("
                    + Sql.literal(Sql.name(table))
                    + ") AND attnum > 0 AND NOT attisdropped AND attname <> "
                    + Sql.literal(column)
                    + "; EXECUTE 'CREATE OR REPLACE TRIGGER "
                    + Sql.ident(Names.fillTrigger(column)).replace("'", "''")
                    + " BEFORE INSERT' || CASE WHEN cols IS NULL THEN '' ELSE ' OR UPDATE OF ' || cols END"
                    + " || ' ON "
                    + Sql.name(table).replace("'", "''")
                    + " FOR EACH ROW WHEN (NEW."
                    + c.replace("'", "''")
                    + " IS NULL) EXECUTE FUNCTION "
                    + fn.replace("'", "''")
                    + "()'; END $convoy$"),
            "fill trigger for rows the old application writes"));
  }

  List<Step> backfill() {
    if (fill == null) {
      return List.of();
    }
    return List.of(
        new BackfillStep(
            table,
            Map.of(column, fill),
            Sql.ident(column) + " IS NULL",
            "backfill " + what() + " = " + fill,
            false));
  }

  List<Step> contract() {
    List<Step> out = new ArrayList<>();
    String t = Sql.name(table);
    String c = Sql.ident(column);
    String check = Names.notNullCheck(table, column);
    if (notNull) {
      out.add(
          DdlStep.separate(
              Phase.CONTRACT,
              Statement.tx(
                  Guards.ifNoConstraint(
                      table,
                      check,
                      "ALTER TABLE "
                          + t
                          + " ADD CONSTRAINT "
                          + Sql.ident(check)
                          + " CHECK ("
                          + c
                          + " IS NOT NULL) NOT VALID")),
              "CHECK (" + column + " IS NOT NULL) NOT VALID"));
      out.add(
          DdlStep.separate(
              Phase.CONTRACT,
              Statement.tx("ALTER TABLE " + t + " VALIDATE CONSTRAINT " + Sql.ident(check)),
              "validate " + check + " (scans " + table + ", blocks no writes)"));
      out.add(
          DdlStep.separate(
              Phase.CONTRACT,
              Statement.tx("ALTER TABLE " + t + " ALTER COLUMN " + c + " SET NOT NULL"),
              "SET NOT NULL " + what() + " (proved by the check, no scan)"));
      out.add(
          DdlStep.of(
              Phase.CONTRACT, Statement.tx(Guards.dropConstraint(table, check)), "drop the check"));
    }
    out.addAll(dropFill(Phase.CONTRACT));
    return out;
  }

  /** Undoes expand and whatever of contract ran: trigger, function, check. */
  List<Step> undoExpand() {
    List<Step> out = new ArrayList<>(dropFill(Phase.EXPAND));
    if (notNull) {
      out.add(
          DdlStep.of(
              Phase.EXPAND,
              Statement.tx(Guards.dropConstraint(table, Names.notNullCheck(table, column))),
              "drop the check"));
    }
    return out;
  }

  private List<Step> dropFill(Phase phase) {
    if (fill == null) {
      return List.of();
    }
    return List.of(
        DdlStep.of(
            phase,
            Statement.tx(
                "DROP TRIGGER IF EXISTS "
                    + Sql.ident(Names.fillTrigger(column))
                    + " ON "
                    + Sql.name(table)
                    + ";\nDROP FUNCTION IF EXISTS "
                    + Sql.name(Names.fillFunction(table, column))
                    + "()"),
            "drop the fill trigger"));
  }
}
