package dev.convoy.migration;

import dev.convoy.error.Problem;
import dev.convoy.ops.Operation;
import dev.convoy.ops.RawSql;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Whether a revision can be downgraded. An operation whose downgrade cannot be derived is a problem
 * of the migrations directory (found before anything runs), unless the revision says {@code
 * irreversible: true}; such a revision then refuses every downgrade that would cross it.
 */
public final class Reversibility {
  private Reversibility() {}

  /** True when no downgrade may cross {@code m}. */
  public static boolean irreversible(Migration m) {
    return m.irreversible() || m.operations().stream().anyMatch(Reversibility::cannotUndo);
  }

  /**
   * Why a downgrade may not cross {@code m}, naming the revision and its file; empty when it may.
   */
  public static Optional<String> refusal(Migration m) {
    if (!irreversible(m)) {
      return Optional.empty();
    }
    List<String> why = new ArrayList<>();
    if (m.irreversible()) {
      why.add(
          "the revision is marked '"
              + (isSql(m) ? "-- irreversible: true" : "irreversible: true")
              + "'"
              + (m.line("irreversible") > 0 ? " (line " + m.line("irreversible") + ")" : ""));
    }
    for (Operation op : m.operations()) {
      op.irreversibleReason().ifPresent(why::add);
    }
    return Optional.of(
        "revision "
            + m.revision()
            + (m.message().isEmpty() ? "" : " (" + m.message() + ")")
            + " in "
            + m.file()
            + " cannot be downgraded: "
            + String.join("; ", why));
  }

  /**
   * Each operation of {@code m} whose downgrade cannot be derived, with its file, its line and the
   * fix; none when the revision says {@code irreversible: true}.
   */
  public static List<Problem> problems(Migration m) {
    List<Problem> problems = new ArrayList<>();
    if (m.irreversible()) {
      return problems;
    }
    List<Operation> ops = m.operations();
    for (int i = 0; i < ops.size(); i++) {
      Operation op = ops.get(i);
      if (!cannotUndo(op)) {
        continue;
      }
      if (isSql(m)) {
        problems.add(
            new Problem(
                m.file(),
                m.line("downgrade") > 0 ? m.line("downgrade") : m.line("upgrade"),
                "revision "
                    + m.revision()
                    + " has no SQL under '-- +downgrade', so it could not be downgraded; write"
                    + " the SQL that undoes the upgrade under a '-- +downgrade' line, or add the"
                    + " header '-- irreversible: true' if it is meant to be one-way"));
      } else {
        problems.add(
            new Problem(
                m.file(),
                m.line("operations[" + i + "]"),
                op.irreversibleReason().orElseThrow()
                    + " (or, if revision "
                    + m.revision()
                    + " is meant to be one-way, mark it 'irreversible: true')"));
      }
    }
    return problems;
  }

  private static boolean cannotUndo(Operation op) {
    return op.irreversibleReason().isPresent();
  }

  private static boolean isSql(Migration m) {
    return m.file().endsWith(".sql")
        && m.operations().size() == 1
        && m.operations().get(0) instanceof RawSql;
  }
}
