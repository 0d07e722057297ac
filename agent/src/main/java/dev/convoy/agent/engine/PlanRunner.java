package dev.convoy.agent.engine;

import dev.convoy.agent.db.TextSession;
import dev.convoy.agent.state.StateStore;
import dev.convoy.agent.versions.VersionKeeper;
import dev.convoy.graph.RevisionGraph;
import dev.convoy.migration.Migration;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Runs a locked command's plan, revision after revision, and says what it did. Consecutive plain
 * revisions go out as one pipelined chain (see {@link RevisionRunner#chain}); a phased or expanded
 * revision goes through its phases (see {@link PhasedRunner}). Every revision reports to the
 * listener and leaves the heads it reached, so a failure names where the database was left.
 */
final class PlanRunner {
  /**
   * The connections and runners of one locked command. Plain revisions (one transaction each) run
   * on {@code text}, the lock's own connection; phased ones need Vert.x and a connection of its
   * client, opened the first time one comes (see {@link PhasedWork}).
   */
  record Sessions(
      TextSession text, RevisionRunner runner, PhasedWork phased, VersionKeeper versions) {}

  private final StateStore state;
  private final RevisionGraph graph;
  private final MigrationListener listener;
  private final Holds holds;

  PlanRunner(StateStore state, RevisionGraph graph, MigrationListener listener, Holds holds) {
    this.state = state;
    this.graph = graph;
    this.listener = listener;
    this.holds = holds;
  }

  MigrationResult upgrade(
      Sessions db, List<String> from, Set<String> expanded, List<Migration> work, PhaseMode mode) {
    Set<String> applied = new LinkedHashSet<>(graph.closure(from));
    List<AppliedRevision> done = new ArrayList<>();
    List<String> heads = from;
    listener.planned(work, Direction.UPGRADE);
    if (work.stream().anyMatch(m -> expanded.contains(m.revision()) || StepRunner.phased(m))) {
      db.phased().prepare();
    }
    if (!work.isEmpty()) {
      // Only now: a command that is refused, or has nothing to do, leaves a fresh database as is.
      state.ensure(db.text());
    }
    for (int i = 0; i < work.size(); i++) {
      List<Migration> chain = RevisionRunner.chainable(work, i, expanded);
      if (chain.size() > 1) {
        List<List<String>> afters = new ArrayList<>();
        Set<String> reached = new LinkedHashSet<>(applied);
        for (Migration m : chain) {
          reached.add(m.revision());
          afters.add(List.copyOf(graph.headsOf(reached)));
        }
        List<Duration> took = db.runner().chain(chain, afters);
        for (int k = 0; k < took.size(); k++) {
          Migration m = chain.get(k);
          applied.add(m.revision());
          heads = afters.get(k);
          listener.starting(m, Direction.UPGRADE);
          listener.finished(m, Direction.UPGRADE, took.get(k));
          done.add(new AppliedRevision(m.revision(), m.message(), Direction.UPGRADE, took.get(k)));
        }
        i += took.size();
        if (i >= work.size()) {
          break;
        }
        // A revision of the chain did not commit: it runs again below on its own, which retries
        // a lock timeout or reports the failure with its statement and leaves the database at
        // the revision before it.
      }
      Migration m = holds.upgrade(Catalog.resolve(db.text(), work.get(i)));
      boolean wasExpanded = expanded.contains(m.revision());
      Set<String> without = new LinkedHashSet<>(applied);
      without.remove(m.revision());
      applied.add(m.revision());
      List<String> after = List.copyOf(graph.headsOf(applied));
      listener.starting(m, Direction.UPGRADE);
      long t0 = System.nanoTime();
      String outcome = "applied";
      if (!wasExpanded && !StepRunner.phased(m)) {
        try {
          db.runner()
              .run(
                  m,
                  Direction.UPGRADE,
                  after,
                  "the database is still at " + Migrator.describe(heads) + ".");
        } catch (ConnectionLostException e) {
          appliedAnyway(e, work.size() - 1 - i);
        }
      } else {
        boolean undoable = graph.descendants(m.revision()).stream().noneMatch(applied::contains);
        outcome =
            db.phased()
                .runner()
                .upgrade(
                    m,
                    db.versions(),
                    mode == PhaseMode.EXPAND,
                    wasExpanded,
                    after,
                    List.copyOf(graph.headsOf(without)),
                    undoable)
                .name()
                .toLowerCase(java.util.Locale.ROOT);
      }
      Duration took = Duration.ofNanos(System.nanoTime() - t0);
      listener.finished(m, Direction.UPGRADE, took, outcome);
      done.add(new AppliedRevision(m.revision(), m.message(), Direction.UPGRADE, took, outcome));
      heads = after;
    }
    if (!work.isEmpty()) {
      // Plain revisions change tables too: the versions' views follow what is physical now.
      db.versions().refresh();
    }
    return new MigrationResult(from, heads, done);
  }

  /**
   * A revision whose connection broke but whose COMMIT completed (the server says so) is done; if
   * it was the plan's last, the command did what was asked. Anything else is still the error.
   */
  private void appliedAnyway(ConnectionLostException e, int rest) {
    if (e.outcome() != ConnectionLostException.Outcome.APPLIED) {
      throw e;
    }
    if (rest > 0) {
      throw e.withRestNotRun(rest);
    }
    listener.connectionLost(e.getMessage());
  }

  MigrationResult downgrade(
      Sessions db, List<String> from, Set<String> expanded, List<Migration> plan) {
    Set<String> applied = new LinkedHashSet<>(graph.closure(from));
    List<AppliedRevision> done = new ArrayList<>();
    List<String> heads = from;
    listener.planned(plan, Direction.DOWNGRADE);
    if (plan.stream().anyMatch(StepRunner::phased)) {
      db.phased().prepare();
    }
    if (!plan.isEmpty()) {
      state.ensure(db.text());
    }
    for (Migration planned : plan) {
      Migration m = holds.downgrade(db.text(), Catalog.resolve(db.text(), planned));
      applied.remove(m.revision());
      List<String> after = List.copyOf(graph.headsOf(applied));
      listener.starting(m, Direction.DOWNGRADE);
      long t0 = System.nanoTime();
      String where = "the database is still at " + Migrator.describe(heads) + ".";
      if (StepRunner.phased(m)) {
        db.phased()
            .runner()
            .downgrade(m, db.versions(), !expanded.contains(m.revision()), after, where);
      } else {
        db.versions().reverting(m);
        try {
          db.runner().run(m, Direction.DOWNGRADE, after, where);
        } catch (ConnectionLostException e) {
          appliedAnyway(e, plan.size() - 1 - plan.indexOf(planned));
        }
        db.versions().reverted(m);
      }
      Duration took = Duration.ofNanos(System.nanoTime() - t0);
      listener.finished(m, Direction.DOWNGRADE, took);
      done.add(new AppliedRevision(m.revision(), m.message(), Direction.DOWNGRADE, took));
      heads = after;
    }
    return new MigrationResult(from, heads, done);
  }
}
