package dev.convoy.ops;

import java.util.List;
import java.util.Optional;

/**
 * {@code sql}: the author's SQL, sent as written (several statements allowed). {@code phase}
 * contract runs it after every expand step of its revision, as drops are: autogenerate drops an
 * enum or sequence only once the tables using it are gone.
 */
public record RawSql(String upSql, String downSql, boolean transactional, Phase phase)
    implements Operation {
  public RawSql(String upSql, String downSql, boolean transactional) {
    this(upSql, downSql, transactional, Phase.EXPAND);
  }

  @Override
  public List<Step> upgradeSteps() {
    return up(true).stream().map(st -> (Step) DdlStep.of(phase, st, describe())).toList();
  }

  /** A contract-phase statement that has not run needs no undoing. */
  @Override
  public List<Step> downgradeSteps(boolean contracted) {
    return phase == Phase.CONTRACT && !contracted
        ? List.of()
        : Operation.super.downgradeSteps(contracted);
  }

  @Override
  public String kind() {
    return "sql";
  }

  @Override
  public String describe() {
    String first = upSql.strip().lines().findFirst().orElse("");
    return "sql " + (first.length() > 60 ? first.substring(0, 57) + "..." : first);
  }

  @Override
  public List<Statement> up(boolean guarded) {
    return List.of(new Statement(upSql, transactional, null));
  }

  @Override
  public List<Statement> down(boolean guarded) {
    return List.of(new Statement(downSql, transactional, null));
  }

  @Override
  public Optional<String> irreversibleReason() {
    return downSql == null
        ? Optional.of(
            describe()
                + " has no 'down' (or no -- +downgrade section) with the SQL that undoes it;"
                + " add one")
        : Optional.empty();
  }
}
