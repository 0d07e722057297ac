package dev.convoy.agent.engine;

import java.util.List;

/**
 * What an upgrade, downgrade or stamp did: the heads before and after, and every revision run, in
 * order. Empty {@code applied} means the database was already where it was asked to be. {@code
 * heldBack} (or null) says why an expand stopped before the target: the next revision waits for the
 * contract of one expanded before it (see {@link dev.convoy.phases.ExpandOrder}).
 */
public record MigrationResult(
    List<String> from, List<String> to, List<AppliedRevision> applied, String heldBack) {
  public MigrationResult {
    from = List.copyOf(from);
    to = List.copyOf(to);
    applied = List.copyOf(applied);
  }

  public MigrationResult(List<String> from, List<String> to, List<AppliedRevision> applied) {
    this(from, to, applied, null);
  }

  /** The same result, saying why the expand stopped where it did. */
  public MigrationResult heldBack(String why) {
    return new MigrationResult(from, to, applied, why);
  }

  public boolean changed() {
    return !applied.isEmpty() || !from.equals(to);
  }
}
