package dev.convoy.phases;

import dev.convoy.migration.Migration;
import dev.convoy.ops.Operation;
import dev.convoy.ops.Sql;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Expand-first over a chain of revisions: every revision's expand and backfill, then every
 * contract. Compared with applying the revisions one after the other, a revision's expand now runs
 * before the contracts of the revisions before it. That is safe unless it names something such a
 * contract drops, renames, retypes or constrains (or raw SQL that may), or changes something that
 * contract still needs: then it must wait until that contract ran, and the chain is cut there. The
 * operations' own machinery (fill triggers, shadow columns) is built not to depend on other
 * columns, so a plain drop in one revision and a backfilled column in the next expand together.
 */
public final class ExpandOrder {
  private ExpandOrder() {}

  /** Why {@code waiting} cannot be expanded before {@code blocker}'s contract has run. */
  public record Wait(Migration waiting, Migration blocker, String reason) {
    /** One sentence for people: what waits for what, and why. */
    public String describe() {
      return waiting.revision()
          + " ("
          + waiting.file()
          + ") waits for the contract of "
          + blocker.revision()
          + " ("
          + blocker.file()
          + "): "
          + reason;
    }
  }

  /**
   * The first revision of {@code chain} that must wait for a contract, given the revisions already
   * expanded with their contract pending ({@code pending}) and the revisions of the chain before
   * it, which expand-first leaves expanded too.
   */
  public static Optional<Wait> firstWait(Collection<Migration> pending, List<Migration> chain) {
    List<Migration> uncontracted = new ArrayList<>(pending);
    for (Migration m : chain) {
      Optional<Wait> w = waitFor(uncontracted, m);
      if (w.isPresent()) {
        return w;
      }
      uncontracted.add(m);
    }
    return Optional.empty();
  }

  /**
   * A wave: revisions expanded together, then contracted, before the next wave starts; {@code
   * because} says why the wave could not join the one before it (null for the first).
   */
  public record Wave(List<Migration> revisions, Wait because) {
    public Wave {
      revisions = List.copyOf(revisions);
    }
  }

  /** The chain cut into waves; one wave when nothing waits, none for an empty chain. */
  public static List<Wave> waves(List<Migration> chain) {
    List<Wave> out = new ArrayList<>();
    List<Migration> rest = chain;
    Wait because = null;
    while (!rest.isEmpty()) {
      Optional<Wait> w = firstWait(List.of(), rest);
      int cut = w.isPresent() ? rest.indexOf(w.get().waiting()) : rest.size();
      out.add(new Wave(rest.subList(0, cut), because));
      because = w.orElse(null);
      rest = rest.subList(cut, rest.size());
    }
    return out;
  }

  /** Why {@code m} waits for one of {@code uncontracted}, newest first; empty if it need not. */
  static Optional<Wait> waitFor(List<Migration> uncontracted, Migration m) {
    for (int i = uncontracted.size() - 1; i >= 0; i--) {
      Migration blocker = uncontracted.get(i);
      for (Operation before : blocker.operations()) {
        for (ContractChange ch : ContractChange.of(before)) {
          for (Operation op : m.operations()) {
            for (ExpandUse use : ExpandUse.of(op)) {
              if (conflicts(ch, use)) {
                return Optional.of(new Wait(m, blocker, reason(ch, use, blocker)));
              }
            }
          }
        }
      }
    }
    return Optional.empty();
  }

  private static String reason(ContractChange ch, ExpandUse use, Migration blocker) {
    return "its "
        + use.what()
        + (use.table() == null ? " (raw SQL) may depend on " : " depends on ")
        + (ch.kind() == ContractChange.Kind.CONSTRAINT || ch.name() == null
            ? ch.table()
            : ch.table() + "." + ch.name())
        + ", and "
        + blocker.revision()
        + " "
        + ch.describe()
        + " only in its contract";
  }

  static boolean conflicts(ContractChange ch, ExpandUse use) {
    boolean sameTable = use.table() != null && sameTable(use.table(), ch.table());
    boolean namesTable = SqlNames.mentions(use.sqlNames(), Sql.simpleName(ch.table()));
    if (use.table() == null && namesTable) {
      return true; // raw SQL touching the table: it may read or change anything of it
    }
    return switch (ch.kind()) {
      case DROPS_TABLE -> sameTable || namesTable;
      case CONSTRAINT -> SqlNames.mentions(use.sqlNames(), ch.name());
      // A value computed from the column while it is still being filled (two fill triggers
      // fire in name order, not revision order) would read NULL: wait, as for a column change.
      case NOT_NULL ->
          sameTable && ch.name().equals(use.column()) && use.alters()
              || (sameTable || namesTable) && SqlNames.mentions(use.sqlNames(), ch.name());
      case COLUMN ->
          sameTable && ch.name().equals(use.column())
              || (sameTable || namesTable) && SqlNames.mentions(use.sqlNames(), ch.name());
    };
  }

  /**
   * Names as operations write them: schema-qualified or not, the same table when they end alike.
   */
  private static boolean sameTable(String a, String b) {
    return Sql.simpleName(a).equals(Sql.simpleName(b));
  }
}
