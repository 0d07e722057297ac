package dev.convoy.ops;

/**
 * The trigger keeping a retyped column and its shadow in step while both application versions run
 * ({@link AlterColumn}'s shadow path).
 *
 * <p>Both ways: a write in the old shape (the column set, the shadow not, or set to what the column
 * converts to) sets the shadow from the column; a write in the new shape (through the new version's
 * view, which shows the shadow under the column's name) sets the column from the shadow with a cast
 * back to {@code from_type}, so the old version reads it. Comparing with the converted value,
 * rather than asking who wrote, also keeps the backfill's own updates (shadow := conversion) from
 * touching the old column. Without {@code from_type} there is no way back, and the old column keeps
 * its value. ({@code down_using} is written over the row after the swap, where the column has the
 * new type under its own name, so it cannot be evaluated here; it serves the revert window.)
 */
final class TypeSync {
  private TypeSync() {}

  /** The PL/pgSQL body; {@code forward} computes the new value from the row. */
  static String body(String table, String column, String type, String fromType, String forward) {
    String c = Sql.ident(column);
    String s = Sql.ident(Names.shadowColumn(column));
    String row = " FROM (SELECT NEW.*) AS " + Sql.ident(Sql.simpleName(table)) + ")";
    String fwd = "(SELECT " + forward + row;
    String toOld =
        fromType == null
            ? "NULL;"
            : "NEW." + c + " := (SELECT CAST(" + s + " AS " + fromType + ")" + row + ";";
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
        + c
        + " IS DISTINCT FROM OLD."
        + c
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
}
