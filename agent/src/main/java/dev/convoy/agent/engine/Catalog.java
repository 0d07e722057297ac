package dev.convoy.agent.engine;

import dev.convoy.agent.db.TextSession;
import dev.convoy.migration.Migration;
import dev.convoy.ops.AlterColumn;
import dev.convoy.ops.Operation;
import dev.convoy.ops.Sql;
import java.util.ArrayList;
import java.util.List;

/**
 * Database facts a plan depends on: whether a column type change needs a table rewrite. PostgreSQL
 * skips the rewrite when the types are binary coercible (varchar to text) or only a length limit
 * grows; then a direct ALTER is instant and the shadow-column dance is not needed. A shadow change
 * that stopped part way (after its swap the column already has the new type) resumes as a shadow
 * change, so a rerun finds the same steps as the run that recorded its progress.
 */
final class Catalog {
  private static final int VARCHAR = 1043;
  private static final int VARBIT = 1562;

  private Catalog() {}

  /** True when {@link #resolve} has to ask the database (a column type change may be instant). */
  static boolean asksDatabase(Migration m) {
    return m.operations().stream().anyMatch(op -> op instanceof AlterColumn a && probed(a));
  }

  private static boolean probed(AlterColumn a) {
    return a.type() != null && !a.direct() && a.using() == null;
  }

  static Migration resolve(TextSession db, Migration m) {
    boolean changed = false;
    List<Operation> ops = new ArrayList<>();
    for (Operation op : m.operations()) {
      if (op instanceof AlterColumn a && probed(a) && noRewrite(db, a)) {
        ops.add(a.withDirect());
        changed = true;
      } else {
        ops.add(op);
      }
    }
    if (!changed) {
      return m;
    }
    return withOperations(m, ops);
  }

  /** {@code m} with {@code ops} in place of its operations. */
  static Migration withOperations(Migration m, List<Operation> ops) {
    return new Migration(
        m.revision(),
        m.downRevisions(),
        m.message(),
        m.branchLabels(),
        m.dependsOn(),
        m.declaredTransactional(),
        m.lintIgnore(),
        ops,
        m.file(),
        m.checksum(),
        m.lines(),
        m.irreversible());
  }

  /** A shadow change that stopped part way (its columns are there) resumes as one. */
  private static boolean inFlight(TextSession db, AlterColumn a) {
    return !db.rows(
            "SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass("
                + Sql.literal(Sql.name(a.table()))
                + ") AND NOT attisdropped AND attname IN ("
                + a.inFlightColumns().stream()
                    .map(Sql::literal)
                    .reduce((x, y) -> x + ", " + y)
                    .orElseThrow()
                + ")")
        .isEmpty();
  }

  private static boolean noRewrite(TextSession db, AlterColumn a) {
    try {
      db.execute("BEGIN; CREATE TEMP TABLE convoy_type_probe (x " + a.type() + ") ON COMMIT DROP");
      var rs =
          db.rows(
              "SELECT a.atttypid::int::text, a.atttypmod::text, p.atttypid::int::text,"
                  + " p.atttypmod::text, EXISTS (SELECT 1 FROM pg_cast c WHERE c.castsource ="
                  + " a.atttypid AND c.casttarget = p.atttypid AND c.castmethod = 'b')::text"
                  + " FROM pg_attribute a, pg_attribute p WHERE a.attrelid = to_regclass("
                  + Sql.literal(Sql.name(a.table()))
                  + ") AND a.attname = "
                  + Sql.literal(a.column())
                  + " AND p.attrelid = 'convoy_type_probe'::regclass AND p.attname = 'x'");
      if (rs.isEmpty() || inFlight(db, a)) {
        return false;
      }
      String[] r = rs.get(0);
      int oldOid = Integer.parseInt(r[0]);
      int oldMod = Integer.parseInt(r[1]);
      int newOid = Integer.parseInt(r[2]);
      int newMod = Integer.parseInt(r[3]);
      if (oldOid == newOid) {
        return newMod == oldMod
            || ((oldOid == VARCHAR || oldOid == VARBIT)
                && (newMod == -1 || (oldMod != -1 && newMod >= oldMod)));
      }
      return "true".equals(r[4]) && newMod == -1;
    } catch (RuntimeException e) {
      // A type that does not parse is reported by the statement that uses it.
      return false;
    } finally {
      db.execute("ROLLBACK");
    }
  }
}
