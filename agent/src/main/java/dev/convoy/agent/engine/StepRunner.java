package dev.convoy.agent.engine;

import dev.convoy.agent.db.BackendPid;
import dev.convoy.agent.db.PgSession;
import dev.convoy.migration.Migration;
import dev.convoy.ops.AlterColumn;
import dev.convoy.ops.BackfillStep;
import dev.convoy.ops.DdlStep;
import dev.convoy.ops.Operation;
import dev.convoy.ops.Phase;
import dev.convoy.ops.Sql;
import dev.convoy.ops.Step;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Runs a phased revision step by step. Steps are grouped: consecutive transactional statements of
 * one phase commit together (with a row in {@code progress} saying the group is done, in the same
 * transaction), a statement that must run outside a transaction runs alone, a backfill is its own
 * group. A rerun skips the groups already done, so a crash anywhere resumes exactly.
 */
final class StepRunner {
  private final PgSession db;
  private final String begin;
  private final WorkGuard guard;
  private final String progressTable;
  private final LockRetry retry;
  private final Backfiller backfiller;
  private final MigrationListener listener;

  StepRunner(
      PgSession db,
      String schema,
      LockRetry retry,
      Backfiller backfiller,
      MigrationListener listener,
      dev.convoy.agent.state.Who who) {
    this.db = db;
    // In distributed mode every group's transaction checks and raises the coordinator fence and
    // checks the command's ledger row; a statement run outside a transaction checks both first.
    dev.convoy.agent.state.WorkFence fence = new dev.convoy.agent.state.WorkFence(schema, who);
    this.begin = fence.active() ? "BEGIN;\n" + fence.exclusive() : "BEGIN";
    this.guard = new WorkGuard(fence);
    this.progressTable = Sql.ident(schema) + ".progress";
    this.retry = retry;
    this.backfiller = backfiller;
    this.listener = listener;
  }

  enum Kind {
    TX,
    OUTSIDE,
    BACKFILL
  }

  /** Steps that run together, and the operations (by index) they belong to. */
  record Group(int index, Phase phase, Kind kind, List<Step> steps, Set<Integer> ops) {
    String describe() {
      return steps.stream()
          .map(Step::describe)
          .distinct()
          .reduce((a, b) -> a + "; " + b)
          .orElse("");
    }
  }

  /** The upgrade steps of every operation, grouped. */
  static List<Group> upgradeGroups(Migration m) {
    List<int[]> owners = new ArrayList<>();
    List<Step> steps = new ArrayList<>();
    for (int i = 0; i < m.operations().size(); i++) {
      for (Step s : m.operations().get(i).upgradeSteps()) {
        steps.add(s);
        owners.add(new int[] {i});
      }
    }
    return group(steps, owners);
  }

  /** The downgrade steps of the given operations, newest operation first, grouped. */
  static List<Group> downgradeGroups(Migration m, Set<Integer> ops, boolean contracted) {
    List<int[]> owners = new ArrayList<>();
    List<Step> steps = new ArrayList<>();
    for (int i = m.operations().size() - 1; i >= 0; i--) {
      if (!ops.contains(i)) {
        continue;
      }
      for (Step s : m.operations().get(i).downgradeSteps(contracted)) {
        steps.add(s);
        owners.add(new int[] {i});
      }
    }
    return group(steps, owners);
  }

  private static List<Group> group(List<Step> steps, List<int[]> owners) {
    List<Group> groups = new ArrayList<>();
    List<Step> current = new ArrayList<>();
    Set<Integer> ops = new HashSet<>();
    Phase phase = null;
    for (int i = 0; i < steps.size(); i++) {
      Step s = steps.get(i);
      Kind kind = kindOf(s);
      boolean joins =
          kind == Kind.TX
              && !current.isEmpty()
              && phase == s.phase()
              && kindOf(current.get(0)) == Kind.TX
              && !((DdlStep) s).separate();
      if (!joins && !current.isEmpty()) {
        groups.add(new Group(groups.size(), phase, kindOf(current.get(0)), current, ops));
        current = new ArrayList<>();
        ops = new HashSet<>();
      }
      current.add(s);
      ops.add(owners.get(i)[0]);
      phase = s.phase();
    }
    if (!current.isEmpty()) {
      groups.add(new Group(groups.size(), phase, kindOf(current.get(0)), current, ops));
    }
    return groups;
  }

  private static Kind kindOf(Step s) {
    if (s instanceof BackfillStep) {
      return Kind.BACKFILL;
    }
    return ((DdlStep) s).statement().transactional() ? Kind.TX : Kind.OUTSIDE;
  }

  /** True when the revision needs phased, step-by-step execution. */
  static boolean phased(Migration m) {
    return !m.transactional() || m.operations().stream().anyMatch(Operation::phased);
  }

  static boolean hasContract(Migration m) {
    return upgradeGroups(m).stream().anyMatch(g -> g.phase() == Phase.CONTRACT);
  }

  /** True when a column type change of this revision has already swapped its new column in. */
  boolean swapped(Migration m) {
    Set<Integer> done = done(m);
    return upgradeGroups(m).stream()
        .anyMatch(
            g -> done.contains(g.index()) && g.steps().stream().anyMatch(AlterColumn::isSwap));
  }

  /** Groups already done for this revision's upgrade. */
  Set<Integer> done(Migration m) {
    Set<Integer> out = new HashSet<>();
    for (Row r :
        db.query(
            "SELECT op_index FROM "
                + progressTable
                + " WHERE revision = $1 AND phase = 'up'"
                + " AND (cursor ->> 'done')::boolean",
            Tuple.of(m.revision()))) {
      out.add(r.getInteger(0));
    }
    return out;
  }

  /**
   * Runs the upgrade groups of the given phases that are not done yet. Returns the operations
   * touched, for undoing them if something fails later.
   */
  void upgrade(Migration m, Set<Phase> phases, Set<Integer> touched) {
    Set<Integer> done = done(m);
    for (Group g : upgradeGroups(m)) {
      if (done.contains(g.index())) {
        touched.addAll(g.ops());
        continue;
      }
      if (!phases.contains(g.phase())) {
        continue;
      }
      listener.phase(m, g.phase());
      if (g.kind() != Kind.TX) {
        touched.addAll(g.ops());
      }
      run(m, g, "up");
      touched.addAll(g.ops());
    }
  }

  /** Runs downgrade groups (used both for downgrades and to undo a failed upgrade). */
  void downgrade(Migration m, Set<Integer> ops, boolean contracted) {
    for (Group g : downgradeGroups(m, ops, contracted)) {
      run(m, g, null);
    }
  }

  private void run(Migration m, Group g, String progressPhase) {
    String what = m.revision() + ": " + g.describe();
    switch (g.kind()) {
      case BACKFILL -> backfiller.run(m, g.index(), (BackfillStep) g.steps().get(0));
      case OUTSIDE -> {
        DdlStep s = (DdlStep) g.steps().get(0);
        retry.run(
            what,
            BackendPid.of(db),
            () -> {
              guard.check(db);
              RevisionRunner.runOutside(db, s.statement());
              return null;
            });
        if (progressPhase != null) {
          guard.query(db, doneSql(m, g.index()));
        }
      }
      default ->
          retry.run(
              what,
              BackendPid.of(db),
              () -> {
                List<String> sqls = new ArrayList<>();
                sqls.add(begin);
                for (Step s : g.steps()) {
                  sqls.add(((DdlStep) s).statement().sql());
                }
                if (progressPhase != null) {
                  sqls.add(doneSql(m, g.index()));
                }
                sqls.add("COMMIT");
                var failed = db.pipeline(sqls);
                if (failed.isPresent()) {
                  int i = failed.get().index();
                  Step at =
                      i >= 1 && i <= g.steps().size() ? g.steps().get(i - 1) : g.steps().get(0);
                  throw new StepFailedException(
                      at, sqls.get(Math.min(i, sqls.size() - 1)), failed.get().error());
                }
                return null;
              });
    }
  }

  private String doneSql(Migration m, int group) {
    return "INSERT INTO "
        + progressTable
        + " (revision, op_index, phase, cursor) VALUES ("
        + Sql.literal(m.revision())
        + ", "
        + group
        + ", 'up', '{\"done\": true}')"
        + " ON CONFLICT (revision, op_index, phase) DO UPDATE SET cursor = EXCLUDED.cursor, updated_at = now()";
  }

  /** A step that failed, with the statement and PostgreSQL's error. */
  static final class StepFailedException extends RuntimeException {
    final transient Step step;
    final String statement;

    StepFailedException(Step step, String statement, RuntimeException cause) {
      super(cause.getMessage(), cause);
      this.step = step;
      this.statement = statement;
    }
  }
}
