package dev.convoy.agent.engine;

import java.util.List;

/**
 * What an upgrade, downgrade or stamp did: the heads before and after, and every revision run, in
 * order. Empty {@code applied} means the database was already where it was asked to be.
 */
public record MigrationResult(List<String> from, List<String> to, List<AppliedRevision> applied) {
  public MigrationResult {
    from = List.copyOf(from);
    to = List.copyOf(to);
    applied = List.copyOf(applied);
  }

  public boolean changed() {
    return !applied.isEmpty() || !from.equals(to);
  }
}
