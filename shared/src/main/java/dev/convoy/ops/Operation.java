package dev.convoy.ops;

import java.util.List;
import java.util.Optional;

/**
 * One typed change in a migration. Each operation renders its own upgrade and its derived
 * downgrade. {@code guarded} asks for idempotent SQL (IF [NOT] EXISTS): used when a revision runs
 * outside a transaction, where a crash between statements leaves some done and a rerun must skip
 * them.
 */
public sealed interface Operation
    permits CreateTable,
        DropTable,
        AddColumn,
        DropColumn,
        RenameColumn,
        RenameTable,
        CreateIndex,
        DropIndex,
        RawSql,
        SetNotNull,
        DropNotNull,
        Backfill,
        AddForeignKey,
        AddCheck,
        AddUnique,
        AlterColumn {

  /** The operation's name in migration files, e.g. {@code add_column}. */
  String kind();

  /** A short human description, e.g. {@code add_column author.email}. */
  String describe();

  /**
   * The upgrade's statements. Operations that define phased steps get this for free: their steps'
   * statements in order (backfills as one UPDATE).
   */
  default List<Statement> up(boolean guarded) {
    return Steps.statements(upgradeSteps());
  }

  /**
   * The derived downgrade; only called when {@link #irreversibleReason()} is empty. By default the
   * statements of {@link #downgradeSteps} after contract.
   */
  default List<Statement> down(boolean guarded) {
    return Steps.statements(downgradeSteps(true));
  }

  /** Why this operation cannot be undone, when it cannot. */
  default Optional<String> irreversibleReason() {
    return Optional.empty();
  }

  /** What the downgrade would destroy, to be counted before it runs. */
  default List<DataLoss> dataLossOnDown() {
    return List.of();
  }

  /** True when some statement must run outside a transaction block. */
  default boolean needsOutsideTransaction() {
    return upgradeSteps().stream()
        .anyMatch(s -> s instanceof DdlStep d && !d.statement().transactional());
  }

  /**
   * The upgrade as phased steps, guarded (idempotent) because a phased revision commits step by
   * step. By default every statement of {@link #up} is an expand step.
   */
  default List<Step> upgradeSteps() {
    return up(true).stream().map(s -> (Step) DdlStep.of(Phase.EXPAND, s, describe())).toList();
  }

  /**
   * The downgrade as steps. {@code contracted} says whether the contract phase ran (the revision
   * was applied, not just expanded). Also used to undo a revision that failed part way, so every
   * step tolerates what is already gone.
   */
  default List<Step> downgradeSteps(boolean contracted) {
    return down(true).stream()
        .map(s -> (Step) DdlStep.of(Phase.EXPAND, s, "undo " + describe()))
        .toList();
  }

  /**
   * True when the operation needs more than one transaction: a backfill, a contract step, or a step
   * that must not share a transaction with the one before it.
   */
  default boolean phased() {
    return upgradeSteps().stream()
        .anyMatch(s -> s.phase() != Phase.EXPAND || (s instanceof DdlStep d && d.separate()));
  }
}
