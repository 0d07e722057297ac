package dev.convoy.ops;

import java.util.ArrayList;
import java.util.List;

/**
 * The revert window of a shadow type change ({@link AlterColumn}): after the swap, the old column
 * ({@code <c>__convoy_old}) is renamed to its held name instead of dropped, recorded, and kept
 * current from the new column by a trigger applying {@link AlterColumn#reverseConversion} (a value
 * the old type cannot take is held as NULL rather than failing the application's write).
 *
 * <p>A downgrade inside the window swaps back without rewriting the table: it is the same type
 * change run the other way from the held column, which is already filled. The held column becomes
 * the shadow ({@code <c>__convoy_new}) with the reverse change's sync trigger; then the reverse
 * change's contract runs as any contract does (NOT NULL carried by a validated check, every index
 * copied CONCURRENTLY, the swap carrying constraints, foreign keys, default, sequence or identity,
 * the carried constraints validated, the new-type column dropped) and the row is forgotten. So what
 * the upgrade carried over comes back the same way, or the downgrade stops at the step that cannot
 * (named in its error) and a rerun resumes. No backfill: the held values are the old data.
 */
final class TypeHold {
  private TypeHold() {}

  private static final String HOLD =
      """
      DECLARE
        t regclass := to_regclass({TABLE});
        retired name := {RETIRED};
        held name := {HELD};
        uses text;
      BEGIN
        IF t IS NULL OR NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = t AND attname = retired
            AND NOT attisdropped) THEN
          RETURN;
        END IF;
        IF EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = t AND attname = held AND NOT attisdropped) THEN
          RAISE EXCEPTION 'alter_column %.%: column % is still there, holding an earlier change of % (revision %)',
              t, {COLUMN}, held, {COLUMN},
              coalesce((SELECT string_agg(revision, ', ') FROM {STATE} WHERE table_name = {TABLE_AS_WRITTEN}
                AND held_name = held), 'unknown')
            USING HINT = 'Purge it first: convoy purge --revision <that revision>.';
        END IF;
        SELECT string_agg(DISTINCT pg_describe_object(d.refclassid, d.refobjid, 0), ', ') INTO uses
          FROM pg_depend d JOIN pg_attribute a ON a.attrelid = t AND a.attname = retired
          WHERE d.classid = 'pg_class'::regclass AND d.objid = t AND d.objsubid = a.attnum
            AND NOT (d.refclassid = 'pg_class'::regclass AND d.refobjid = t);
        IF uses IS NOT NULL THEN
          -- Held, it would stop a later change dropping what it uses: dropped at once, as before.
          EXECUTE format('ALTER TABLE %s DROP COLUMN %I', t, retired);
          RETURN;
        END IF;
        EXECUTE format('ALTER TABLE %s RENAME COLUMN %I TO %I', t, retired, held);
        INSERT INTO {STATE} AS h (revision, op_index, kind, table_name, column_name, held_name, held_at,
            expires_at, not_null, keep)
          VALUES ({REVISION}, {OP}, 'type', {TABLE_AS_WRITTEN}, {COLUMN}, held, now(), now() + {WINDOW},
            false, '[]')
          ON CONFLICT (revision, op_index) DO UPDATE SET kind = EXCLUDED.kind,
            table_name = EXCLUDED.table_name, column_name = EXCLUDED.column_name,
            held_name = EXCLUDED.held_name, held_at = EXCLUDED.held_at, expires_at = EXCLUDED.expires_at,
            purged_at = NULL, why = NULL, not_null = false, keep = '[]';
        EXECUTE {FUNCTION};
        EXECUTE {TRIGGER};
      END""";

  /** Contract's last step: the old column held (renamed, recorded, kept current) not dropped. */
  static Statement hold(AlterColumn a, Hold h) {
    String held = Names.heldName(a.column());
    String fn = Sql.name(Names.heldFunction(a.table(), held));
    String function =
        "CREATE OR REPLACE FUNCTION "
            + fn
            + "() RETURNS trigger LANGUAGE plpgsql AS "
            + Sql.dollarQuoted(
                "BEGIN NEW."
                    + Sql.ident(held)
                    + " := (SELECT "
                    + a.reverseConversion(a.column())
                    + " FROM (SELECT NEW.*) AS "
                    + Sql.ident(Sql.simpleName(a.table()))
                    + "); RETURN NEW; EXCEPTION WHEN data_exception THEN NEW."
                    + Sql.ident(held)
                    + " := NULL; RETURN NEW; END");
    String trigger =
        "CREATE OR REPLACE TRIGGER "
            + Sql.ident(Names.heldTrigger(held))
            + " BEFORE INSERT OR UPDATE ON "
            + Sql.name(a.table())
            + " FOR EACH ROW EXECUTE FUNCTION "
            + fn
            + "()";
    return Statement.tx(
        "DO "
            + Sql.dollarQuoted(
                HOLD.replace("{STATE}", h.heldTable())
                    .replace("{TABLE_AS_WRITTEN}", Sql.literal(a.table()))
                    .replace("{TABLE}", Sql.literal(Sql.name(a.table())))
                    .replace("{COLUMN}", Sql.literal(a.column()))
                    .replace("{RETIRED}", Sql.literal(Names.retiredColumn(a.column())))
                    .replace("{HELD}", Sql.literal(held))
                    .replace("{REVISION}", Sql.literal(h.revision()))
                    .replace("{OP}", Integer.toString(h.opIndex()))
                    .replace(
                        "{WINDOW}",
                        Sql.literal(h.window().toMillis() + " milliseconds") + "::interval")
                    .replace("{FUNCTION}", Sql.literal(function))
                    .replace("{TRIGGER}", Sql.literal(trigger))));
  }

  /**
   * The downgrade inside the window: the held column made the shadow of the reverse change, that
   * change's contract, the row forgotten.
   */
  static List<Step> swapBack(AlterColumn a, Hold h) {
    AlterColumn back = a.reverse();
    String t = Sql.name(a.table());
    String held = Names.heldName(a.column());
    String shadow = Names.shadowColumn(a.column());
    String fn = Sql.name(Names.fillFunction(a.table(), shadow));
    String function =
        "CREATE OR REPLACE FUNCTION "
            + fn
            + "() RETURNS trigger LANGUAGE plpgsql AS "
            + Sql.dollarQuoted(
                "BEGIN NEW."
                    + Sql.ident(shadow)
                    + " := (SELECT "
                    + a.reverseConversion(a.column())
                    + " FROM (SELECT NEW.*) AS "
                    + Sql.ident(Sql.simpleName(a.table()))
                    + "); RETURN NEW; END");
    String trigger =
        "CREATE OR REPLACE TRIGGER "
            + Sql.ident(Names.fillTrigger(shadow))
            + " BEFORE INSERT OR UPDATE OF "
            + Sql.ident(a.column())
            + " ON "
            + t
            + " FOR EACH ROW EXECUTE FUNCTION "
            + fn
            + "()";
    String exists =
        "EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass("
            + Sql.literal(t)
            + ") AND NOT attisdropped AND attname = ";
    List<Step> out = new ArrayList<>();
    out.add(
        DdlStep.of(
            Phase.EXPAND,
            Statement.tx(
                "DO "
                    + Sql.dollarQuoted(
                        "BEGIN IF "
                            + exists
                            + Sql.literal(held)
                            + ") AND NOT "
                            + exists
                            + Sql.literal(shadow)
                            + ") THEN "
                            + HeldSql.dropKeepCurrent(a.table(), held)
                            + "; ALTER TABLE "
                            + t
                            + " RENAME COLUMN "
                            + Sql.ident(held)
                            + " TO "
                            + Sql.ident(shadow)
                            + "; END IF; IF "
                            + exists
                            + Sql.literal(shadow)
                            + ") THEN EXECUTE "
                            + Sql.literal(function)
                            + "; EXECUTE "
                            + Sql.literal(trigger)
                            + "; END IF; END")),
            "make the held " + a.table() + "." + held + " the shadow of the change back"));
    for (Step s : back.upgradeSteps()) {
      if (s.phase() == Phase.CONTRACT) {
        out.add(
            s instanceof DdlStep d
                ? new DdlStep(Phase.EXPAND, d.statement(), d.separate(), d.describe())
                : s);
      }
    }
    out.add(
        DdlStep.of(
            Phase.EXPAND,
            Statement.tx(RestoreSql.forget(h)),
            "forget the held copy of " + a.table() + "." + a.column()));
    return out;
  }
}
