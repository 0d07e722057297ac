package dev.convoy.agent.engine;

import dev.convoy.agent.db.TextSession;
import dev.convoy.error.ConvoyException;
import dev.convoy.error.ErrorCode;
import dev.convoy.migration.Migration;
import dev.convoy.migration.Reversibility;
import dev.convoy.ops.DataLoss;
import dev.convoy.ops.Operation;
import java.util.ArrayList;
import java.util.List;

/**
 * What is checked before a plan runs, under the lock but before any change: unsafe changes not
 * acknowledged, downgrades that cannot be derived, and downgrades that would drop data. Each
 * refusal lists everything it found and leaves the database as it was.
 */
final class Preflight {
  private Preflight() {}

  /**
   * Refuses error-level lint findings in what is about to run, unless acknowledged. Findings in the
   * revisions' downgrade SQL are for {@code convoy lint}: they do not run now.
   */
  static void requireSafe(EngineConfig config, List<Migration> pending) {
    List<dev.convoy.lint.Finding> upgrade =
        dev.convoy.lint.Linter.lint(pending).stream().filter(f -> !f.downgrade()).toList();
    List<dev.convoy.lint.Finding> blocking =
        dev.convoy.lint.Linter.blocking(upgrade, config.allowUnsafe());
    if (!blocking.isEmpty()) {
      throw new ConvoyException(
          ErrorCode.UNSAFE_MIGRATION,
          "upgrade refused: "
              + blocking.size()
              + " unsafe change"
              + (blocking.size() == 1 ? "" : "s")
              + " (nothing was applied):\n  "
              + String.join(
                  "\n  ", blocking.stream().map(f -> f.toString().replace("\n", "\n  ")).toList())
              + "\nRewrite them as suggested, or acknowledge a rule with 'lint: {ignore: [rule]}' in"
              + " the migration or --allow-unsafe rule on the command line.");
    }
  }

  /** Refuses a downgrade that would cross a revision that cannot be downgraded. */
  static void requireReversible(List<Migration> plan) {
    List<String> reasons = new ArrayList<>();
    for (Migration m : plan) {
      Reversibility.refusal(m).ifPresent(reasons::add);
    }
    if (!reasons.isEmpty()) {
      throw new ConvoyException(
          ErrorCode.BAD_INPUT,
          "cannot downgrade: "
              + String.join("\n  ", reasons)
              + "\nNothing was changed. Downgrade to a revision after it, or undo it by hand and"
              + " record where the database is with 'convoy stamp'.");
    }
  }

  /** {@code ended}: what revert windows that ended cannot bring back (see {@link Holds}). */
  static void requireNoDataLoss(
      TextSession db, List<Migration> plan, List<DataLossRefused.Loss> ended) {
    List<DataLossRefused.Loss> losses = new ArrayList<>(ended);
    for (Migration m : plan) {
      for (Operation op : m.operations()) {
        for (DataLoss loss : op.dataLossOnDown()) {
          long rows = countOrZero(db, loss);
          if (rows > 0) {
            losses.add(new DataLossRefused.Loss(m.revision(), loss.describe(), rows));
          }
        }
      }
    }
    if (!losses.isEmpty()) {
      throw new DataLossRefused(losses);
    }
  }

  /**
   * The rows {@code loss} would drop; 0 only when the table or column is already gone (SQLSTATE
   * 42P01 / 42703). Any other failure to count (a lock or statement timeout, no permission) refuses
   * the downgrade: not knowing is not the same as nothing to lose.
   */
  private static long countOrZero(TextSession db, DataLoss loss) {
    try {
      db.execute("BEGIN READ ONLY");
      return Long.parseLong(db.value(loss.countSql()));
    } catch (RuntimeException e) {
      String state = sqlState(e);
      if ("42P01".equals(state) || "42703".equals(state)) {
        return 0;
      }
      throw new ConvoyException(
          ErrorCode.DATA_LOSS_REFUSED,
          "downgrade refused: could not count the rows of "
              + loss.describe()
              + " before dropping it ("
              + e.getMessage()
              + "). Nothing was changed; try again, or back the data up and run with"
              + " --allow-data-loss.",
          e);
    } finally {
      try {
        db.execute("ROLLBACK");
      } catch (RuntimeException ignored) {
        // The count's own failure is what is reported.
      }
    }
  }

  private static String sqlState(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof dev.convoy.agent.db.SqlError w) {
        return w.sqlState();
      }
      if (t instanceof io.vertx.sqlclient.DatabaseException d) {
        return d.getSqlState();
      }
    }
    return null;
  }
}
