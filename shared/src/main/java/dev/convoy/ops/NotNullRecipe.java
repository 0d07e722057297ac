package dev.convoy.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How a column becomes NOT NULL without a long lock, used by add_column (NOT NULL with backfill)
 * and set_not_null.
 *
 * <p>Expand installs triggers that fill the column for rows the old application inserts or updates
 * without it (see {@link #triggers}: the backfill's own updates, which set only this column, fire
 * neither, nor pay for a BEFORE UPDATE trigger's row lock). Backfill fills existing rows in keyset
 * batches; between the two no NULL is left, so contract needs no sweep. Contract adds {@code CHECK
 * (c IS NOT NULL) NOT VALID} (an instant catalog change), validates it (a scan that blocks no reads
 * or writes), then SET NOT NULL, which PostgreSQL proves from the valid check without a scan, and
 * drops the check and the trigger.
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
                    + "() RETURNS trigger LANGUAGE plpgsql AS "
                    + Sql.dollarQuoted(
                        "BEGIN NEW."
                            + c
                            + " := (SELECT "
                            + fill
                            + " FROM (SELECT NEW.*) AS "
                            + Sql.ident(Sql.simpleName(table))
                            + "); RETURN NEW; END")),
            "fill function for " + what()),
        DdlStep.of(
            Phase.EXPAND,
            Statement.tx(triggers(fn)),
            "fill triggers for rows the old application writes"));
  }

  /** The end of a fill trigger's definition: per row, when the column is NULL, call {@code fn}. */
  private String whenNull(String fn) {
    return " ON "
        + Sql.name(table)
        + " FOR EACH ROW WHEN (NEW."
        + Sql.ident(column)
        + " IS NULL) EXECUTE FUNCTION "
        + fn
        + "()";
  }

  /**
   * The fill triggers, created by a DO block that reads the table's columns and key when it runs.
   *
   * <p>Inserts: BEFORE INSERT, WHEN the value is NULL, sets it. Updates of rows not filled yet:
   * when the table has a key (primary key, else a unique index over NOT NULL columns), an AFTER
   * UPDATE trigger fills the row by its key, so the backfill's own updates (which set this column,
   * so its WHEN is false) meet no BEFORE UPDATE trigger: PostgreSQL locks every row an UPDATE
   * touches before it asks whether such a trigger fires, which cost the backfill a third of its
   * speed and a sixth more WAL. Without a key the insert trigger also covers updates.
   *
   * <p>Neither trigger lists columns ({@code UPDATE OF ...}): a trigger that names a column makes
   * it depend on that column, and an earlier revision's contract dropping one of them would fail
   * (expand-first runs this expand before that contract). The refill sets only a value that is not
   * NULL, so its own UPDATE never fires it again.
   *
   * <p>The AFTER function names the table schema-qualified and runs as the migration's role with
   * the migration's search_path (SECURITY DEFINER, SET search_path FROM CURRENT): the application's
   * own search_path and column privileges must not change what it updates or whether it may. Only
   * an immediate key is used (a deferrable one may hold duplicates inside a transaction).
   */
  private String triggers(String fn) {
    String t = Sql.name(table);
    String c = Sql.ident(column);
    String refill = Sql.name(Names.refillFunction(table, column));
    // Each is a PL/pgSQL string expression: literals joined with the columns and key read above.
    String createFill =
        Sql.literal(
                "CREATE OR REPLACE TRIGGER "
                    + Sql.ident(Names.fillTrigger(column))
                    + " BEFORE INSERT")
            + " || CASE WHEN keycond IS NULL AND cols IS NOT NULL THEN ' OR UPDATE' ELSE '' END || "
            + Sql.literal(whenNull(fn));
    String refillBody =
        Sql.literal(
                "CREATE OR REPLACE FUNCTION "
                    + refill
                    + "() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT"
                    + " AS $convoy_refill$ BEGIN UPDATE ")
            + " || qt || "
            + Sql.literal(
                " AS convoy_row SET "
                    + c
                    + " = convoy_fill.v FROM (SELECT "
                    + fill
                    + " AS v FROM (SELECT NEW.*) AS "
                    + Sql.ident(Sql.simpleName(table))
                    + ") AS convoy_fill WHERE ")
            + " || keycond || "
            + Sql.literal(
                " AND convoy_row."
                    + c
                    + " IS NULL AND convoy_fill.v IS NOT NULL; RETURN NULL; END $convoy_refill$");
    String createRefill =
        Sql.literal(
                "CREATE OR REPLACE TRIGGER "
                    + Sql.ident(Names.refillTrigger(column))
                    + " AFTER UPDATE")
            + " || "
            + Sql.literal(whenNull(refill));
    return "DO "
        + Sql.dollarQuoted(
            "DECLARE cols text; keycond text; qt text; BEGIN"
                + " SELECT format('%I.%I', n.nspname, c.relname) INTO qt FROM pg_class c"
                + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass("
                + Sql.literal(t)
                + ");"
                + " SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) INTO cols FROM pg_attribute"
                + " WHERE attrelid = to_regclass("
                + Sql.literal(t)
                + ") AND attnum > 0 AND NOT attisdropped AND attname <> "
                + Sql.literal(column)
                + ";"
                + " SELECT string_agg(format('convoy_row.%1$I = NEW.%1$I', a.attname), ' AND ') INTO keycond"
                + " FROM (SELECT i.indkey FROM pg_index i WHERE i.indrelid = to_regclass("
                + Sql.literal(t)
                + ") AND i.indisvalid AND i.indimmediate AND (i.indisprimary OR (i.indisunique AND i.indpred IS NULL"
                + " AND i.indexprs IS NULL AND NOT EXISTS (SELECT 1 FROM pg_attribute x WHERE x.attrelid = i.indrelid"
                + " AND x.attnum = ANY (i.indkey) AND NOT x.attnotnull)))"
                + " ORDER BY i.indisprimary DESC, i.indnatts, i.indexrelid LIMIT 1) k"
                + " JOIN pg_attribute a ON a.attrelid = to_regclass("
                + Sql.literal(t)
                + ") AND a.attnum = ANY (k.indkey);"
                + " IF cols IS NULL THEN keycond := NULL; END IF;"
                + " EXECUTE "
                + createFill
                + "; IF keycond IS NOT NULL THEN EXECUTE "
                + refillBody
                + "; EXECUTE "
                + createRefill
                + "; END IF; END");
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
                    + ";\nDROP TRIGGER IF EXISTS "
                    + Sql.ident(Names.refillTrigger(column))
                    + " ON "
                    + Sql.name(table)
                    + ";\nDROP FUNCTION IF EXISTS "
                    + Sql.name(Names.fillFunction(table, column))
                    + "();\nDROP FUNCTION IF EXISTS "
                    + Sql.name(Names.refillFunction(table, column))
                    + "()"),
            "drop the fill trigger"));
  }
}
