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
        CreateIndex,
        DropIndex,
        RawSql {

  /** The operation's name in migration files, e.g. {@code add_column}. */
  String kind();

  /** A short human description, e.g. {@code add_column author.email}. */
  String describe();

  List<Statement> up(boolean guarded);

  /** The derived downgrade; only called when {@link #irreversibleReason()} is empty. */
  List<Statement> down(boolean guarded);

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
    return up(false).stream().anyMatch(s -> !s.transactional());
  }
}
