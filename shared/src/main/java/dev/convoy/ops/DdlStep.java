package dev.convoy.ops;

import java.util.Objects;

/**
 * A statement in a phase. Consecutive transactional steps of one phase commit together; a step
 * marked {@code separate} starts a new transaction, because what it does must not run while the
 * previous statements' locks are held (VALIDATE after ADD ... NOT VALID, a table scan after DDL).
 */
public record DdlStep(Phase phase, Statement statement, boolean separate, String description)
    implements Step {
  public DdlStep {
    Objects.requireNonNull(phase, "phase");
    Objects.requireNonNull(statement, "statement");
  }

  public static DdlStep of(Phase phase, Statement s, String description) {
    return new DdlStep(phase, s, false, description);
  }

  public static DdlStep separate(Phase phase, Statement s, String description) {
    return new DdlStep(phase, s, true, description);
  }

  @Override
  public String describe() {
    return description;
  }
}
