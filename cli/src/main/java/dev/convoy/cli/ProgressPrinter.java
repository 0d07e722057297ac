package dev.convoy.cli;

import dev.convoy.agent.engine.BackfillProgress;
import dev.convoy.agent.engine.Direction;
import dev.convoy.agent.engine.LockTimeoutException;
import dev.convoy.agent.engine.MigrationListener;
import dev.convoy.agent.lock.LockHolder;
import dev.convoy.config.Durations;
import dev.convoy.migration.Migration;
import dev.convoy.ops.Phase;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Prints what the engine does: on a terminal one redrawn progress line, otherwise a plain line per
 * revision. Lock waits always go to stderr, so scripts reading stdout are not disturbed.
 */
final class ProgressPrinter implements MigrationListener {
  private final Cli cli;
  private final boolean quiet;
  private final boolean tty;
  private int total;
  private int done;
  private long lastBackfillLine;
  private long lastPauseLine;
  private String lastPhase;

  ProgressPrinter(Cli cli, boolean quiet) {
    this.cli = cli;
    this.quiet = quiet;
    this.tty = cli.interactive() && !quiet;
  }

  @Override
  public void planned(List<Migration> plan, Direction direction) {
    this.total = plan.size();
  }

  @Override
  public void waitingForLock(LockHolder holder) {
    PrintWriter err = cli.err();
    err.println("Waiting for the migration lock: another migration holds it, " + holder + ".");
    err.flush();
  }

  @Override
  public void lockAcquired(Duration waited) {
    if (waited.toMillis() > 1000) {
      cli.err().println("Lock acquired after " + Durations.human(waited) + ".");
      cli.err().flush();
    }
  }

  @Override
  public void starting(Migration m, Direction direction) {
    if (tty) {
      PrintWriter err = cli.err();
      err.print(
          "\r"
              + bar()
              + " "
              + (direction == Direction.UPGRADE ? "applying " : "reverting ")
              + m.revision()
              + " "
              + clip(m.message())
              + "\033[K");
      err.flush();
    }
  }

  @Override
  public void finished(Migration m, Direction direction, Duration took) {
    finished(m, direction, took, direction == Direction.UPGRADE ? "applied" : "reverted");
  }

  /** "Applied", "Reverted", or for a revision left expanded "Expanded ... (contract pending)". */
  @Override
  public void finished(Migration m, Direction direction, Duration took, String state) {
    done++;
    if (quiet) {
      return;
    }
    if (tty) {
      cli.err().print("\r\033[K");
    }
    boolean expanded = state.equals("expanded");
    cli.out()
        .println(
            (expanded ? "Expanded" : verb(direction))
                + " "
                + m.revision()
                + (m.message().isEmpty() ? "" : " (" + m.message() + ")")
                + " in "
                + Durations.human(took)
                + (expanded ? " (contract pending)" : ""));
    cli.out().flush();
  }

  @Override
  public void phase(Migration m, Phase phase) {
    String key = m.revision() + ":" + phase;
    if (key.equals(lastPhase)) {
      return;
    }
    lastPhase = key;
    if (!quiet && !tty) {
      cli.out().println("  " + m.revision() + ": " + phase.word());
      cli.out().flush();
    }
  }

  @Override
  public void connectionLost(String what) {
    cli.err().println(what);
  }

  @Override
  public void lockRetry(
      String what,
      int attempt,
      int retries,
      List<LockTimeoutException.Blocker> blockers,
      Duration backoff) {
    cli.err()
        .println(
            "lock_timeout on "
                + what
                + " (attempt "
                + attempt
                + " of "
                + (retries + 1)
                + ")"
                + (blockers.isEmpty() ? "" : ", blocked by " + blockers.get(0))
                + "; retrying in "
                + Durations.human(backoff)
                + ".");
    cli.err().flush();
  }

  @Override
  public void backfill(Migration m, BackfillProgress p) {
    if (quiet) {
      return;
    }
    long now = System.nanoTime();
    String line =
        String.format(
            Locale.ROOT,
            "backfill %s: %,d/%,d rows (%d%%), %,.0f rows/s, ETA %s, batch %,d",
            p.table(),
            p.rowsDone(),
            p.estimatedTotal(),
            Math.round(p.fraction() * 100),
            p.rowsPerSecond(),
            Durations.human(p.eta()),
            p.batchSize());
    if (tty) {
      int width = 24;
      int filled = (int) (p.fraction() * width);
      cli.err()
          .print("\r[" + "#".repeat(filled) + ".".repeat(width - filled) + "] " + line + "\033[K");
      cli.err().flush();
    } else if (lastBackfillLine == 0 || now - lastBackfillLine > 2_000_000_000L || p.finished()) {
      lastBackfillLine = now;
      cli.out().println("  " + line);
      cli.out().flush();
    }
  }

  /**
   * Always on stdout as a line of its own (the TTY's progress line is ended first), the first at
   * once and then about every 2 s while the pause lasts.
   */
  @Override
  public void backfillPaused(Migration m, String table, String why) {
    if (quiet) {
      return;
    }
    long now = System.nanoTime();
    if (lastPauseLine != 0 && now - lastPauseLine < 2_000_000_000L) {
      return;
    }
    lastPauseLine = now;
    if (tty) {
      cli.err().print("\r\033[K");
      cli.err().flush();
    }
    cli.out().println("  backfill " + table + ": paused: " + why);
    cli.out().flush();
  }

  @Override
  public void backfillResumed(Migration m, String table, Duration after) {
    lastPauseLine = 0;
    if (quiet) {
      return;
    }
    cli.out().println("  backfill " + table + ": resumed after " + Durations.human(after));
    cli.out().flush();
  }

  private String bar() {
    int width = 24;
    int filled = total == 0 ? 0 : done * width / total;
    return "[" + "#".repeat(filled) + ".".repeat(width - filled) + "] " + done + "/" + total;
  }

  private static String verb(Direction d) {
    return d == Direction.UPGRADE ? "Applied" : "Reverted";
  }

  private static String clip(String s) {
    return s.length() > 40 ? s.substring(0, 37) + "..." : s;
  }
}
