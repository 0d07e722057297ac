package dev.convoy.agent.engine;

import dev.convoy.agent.db.PgSession;
import dev.convoy.agent.state.HistoryEntry;
import dev.convoy.agent.state.StateStore;
import dev.convoy.agent.state.Who;
import dev.convoy.agent.state.WorkFence;
import dev.convoy.agent.versions.VersionKeeper;
import dev.convoy.migration.Migration;
import dev.convoy.ops.Phase;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * A phased revision's life: expand and backfill, recorded as expanded; contract, recorded as
 * applied. When a step fails the revision is undone (the completed steps' downgrades, all tolerant
 * of what is already gone), so the database is left where it was before the revision — unless later
 * revisions already build on it, in which case it stays expanded and the error says so. When the
 * connection was lost instead, nothing is undone: the next run resumes it, as after a crash.
 */
final class PhasedRunner {
  private final PgSession db;
  private final StateStore state;
  private final StepRunner steps;
  private final Who who;

  PhasedRunner(PgSession db, StateStore state, StepRunner steps, Who who) {
    this.db = db;
    this.state = state;
    this.steps = steps;
    this.who = who;
  }

  /** Where a revision ends up. */
  enum Outcome {
    EXPANDED,
    APPLIED
  }

  /**
   * Runs what is left of {@code m}'s upgrade. {@code headsWith}/{@code headsWithout}: the version
   * table with and without it; {@code undoable}: no later revision builds on it yet.
   */
  Outcome upgrade(
      Migration m,
      VersionKeeper versions,
      boolean expandOnly,
      boolean wasExpanded,
      Collection<String> headsWith,
      Collection<String> headsWithout,
      boolean undoable) {
    OffsetDateTime started = OffsetDateTime.now();
    long t0 = System.nanoTime();
    Set<Integer> touched = new HashSet<>();
    boolean expanded = wasExpanded;
    try {
      if (!wasExpanded) {
        boolean contract = StepRunner.hasContract(m);
        if (contract) {
          versions.expanding(m);
        }
        steps.upgrade(m, Set.of(Phase.EXPAND, Phase.BACKFILL), touched);
        if (contract) {
          record(m, headsWith, "expand", started, t0, state.markExpandedSql(m.revision()));
          expanded = true;
          versions.expanded(m);
          if (expandOnly) {
            return Outcome.EXPANDED;
          }
        }
      } else {
        touched.addAll(allOps(m));
      }
      versions.contracting(m);
      steps.upgrade(m, Set.of(Phase.CONTRACT), touched);
      record(m, headsWith, "applied", started, t0, state.clearSql(m.revision()));
    } catch (RuntimeException e) {
      if (VersionKeeper.inUse(e)) {
        // Nothing of the contract ran: the revision stays expanded, to be contracted once the
        // application's objects are out of the old version's schema.
        recordFailure(m, e);
        throw failure(m, e, "It stays expanded; nothing of its contract ran.");
      }
      throw upgradeFailed(m, e, touched, expanded, headsWithout, undoable, versions);
    }
    // Applied and recorded: tidying the versions' views can no longer undo it.
    versions.contractedQuietly(m);
    return Outcome.APPLIED;
  }

  private MigrationFailedException upgradeFailed(
      Migration m,
      RuntimeException e,
      Set<Integer> touched,
      boolean expanded,
      Collection<String> headsWithout,
      boolean undoable,
      VersionKeeper versions) {
    if (ConnectionLoss.is(e)) {
      // Cut off, not refused: left as a crash leaves it, so running it again resumes it (an
      // undo on a connection still up would throw away the backfill's committed batches).
      recordFailure(m, e);
      return failure(m, e, RESUMABLE);
    }
    String after = undo(m, versions, touched, expanded, headsWithout, undoable, e);
    return failure(m, e, after);
  }

  static final String RESUMABLE =
      "The connection to PostgreSQL was lost; nothing was undone: what committed stays, and"
          + " running the upgrade again resumes the revision where it stopped.";

  /** Reverts a phased revision: {@code contracted} says whether its contract phase ran. */
  void downgrade(
      Migration m,
      VersionKeeper versions,
      boolean contracted,
      Collection<String> headsAfter,
      String whereNow) {
    OffsetDateTime started = OffsetDateTime.now();
    long t0 = System.nanoTime();
    try {
      versions.reverting(m);
      steps.downgrade(m, allOps(m), contracted);
      record(m, headsAfter, "reverted", started, t0, state.clearSql(m.revision()), "downgrade");
      versions.reverted(m);
    } catch (RuntimeException e) {
      throw failure(
          m,
          e,
          whereNow
              + " Its downgrade steps each tolerate what is already gone: fix the cause and run the"
              + " downgrade again.");
    }
  }

  private String undo(
      Migration m,
      VersionKeeper versions,
      Set<Integer> touched,
      boolean expanded,
      Collection<String> headsWithout,
      boolean undoable,
      RuntimeException cause) {
    recordFailure(m, cause);
    if (!undoable) {
      return "It stays expanded: later revisions already build on it. Fix the cause and run"
          + " 'convoy upgrade' again to finish it.";
    }
    if (expanded && steps.swapped(m)) {
      return "It stays expanded: its contract had already swapped in the column of the new type,"
          + " and going back would rewrite the table under an exclusive lock, which Convoy does"
          + " not do on its own. Fix the cause and run 'convoy upgrade' to finish it, or"
          + " 'convoy downgrade' to revert it (that rewrites the table).";
    }
    try {
      versions.reverting(m);
      steps.downgrade(m, touched, false);
      OffsetDateTime now = OffsetDateTime.now();
      record(
          m,
          headsWithout,
          "undone",
          now,
          System.nanoTime(),
          state.clearSql(m.revision()),
          "downgrade");
      versions.reverted(m);
      return "The steps it had completed were undone; the database is still at "
          + Migrator.describe(List.copyOf(headsWithout))
          + ".";
    } catch (RuntimeException u) {
      return "Undoing the steps it had completed failed too ("
          + MigrationFailedException.pgError(u).replace("\n", " ")
          + "); the revision is "
          + (expanded ? "recorded as expanded" : "not recorded as applied")
          + ". Fix the cause, then run 'convoy upgrade' to finish it"
          + (expanded ? " or 'convoy downgrade' to revert it." : ".");
    }
  }

  private MigrationFailedException failure(Migration m, RuntimeException e, String after) {
    StepRunner.StepFailedException step = null;
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof StepRunner.StepFailedException s) {
        step = s;
        break;
      }
    }
    return new MigrationFailedException(
        m.revision(),
        m.file(),
        step == null
            ? "(a backfill or lock wait)"
            : step.step.describe() + " (" + step.step.phase().word() + ")",
        step == null ? "(see the error)" : step.statement,
        e,
        after);
  }

  private static Set<Integer> allOps(Migration m) {
    return IntStream.range(0, m.operations().size()).boxed().collect(Collectors.toSet());
  }

  private void record(
      Migration m,
      Collection<String> heads,
      String phase,
      OffsetDateTime started,
      long t0,
      String extra) {
    record(m, heads, phase, started, t0, extra, "upgrade");
  }

  private void record(
      Migration m,
      Collection<String> heads,
      String phase,
      OffsetDateTime started,
      long t0,
      String extra,
      String direction) {
    long ms = Math.max(0, (System.nanoTime() - t0) / 1_000_000);
    HistoryEntry h =
        HistoryEntry.of(m, direction, phase, started, OffsetDateTime.now(), ms, null, who);
    // The version change is work too: fenced and checked against the ledger like the steps.
    WorkFence fence = new WorkFence(state.schema(), who);
    var failed =
        db.pipeline(
            List.of(
                fence.active() ? "BEGIN;\n" + fence.exclusive() : "BEGIN",
                state.setHeadsSql(heads) + ";\n" + extra + ";\n" + state.historySql(h),
                "COMMIT"));
    if (failed.isPresent()) {
      throw failed.get().error();
    }
  }

  private void recordFailure(Migration m, RuntimeException e) {
    try {
      OffsetDateTime now = OffsetDateTime.now();
      db.query(
          state.historySql(
              HistoryEntry.of(
                  m, "upgrade", "failed", now, now, 0L, MigrationFailedException.pgError(e), who)));
    } catch (RuntimeException ignored) {
      // The failure is reported to the caller; losing its history row is secondary.
    }
  }

  static Duration since(long t0) {
    return Duration.ofNanos(System.nanoTime() - t0);
  }
}
