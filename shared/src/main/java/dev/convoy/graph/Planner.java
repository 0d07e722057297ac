package dev.convoy.graph;

import dev.convoy.error.RevisionException;
import dev.convoy.migration.Migration;
import dev.convoy.migration.Reversibility;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns revision expressions into plans, as Alembic does: {@code head}, {@code heads}, {@code
 * base}, ids and unique prefixes (at least 4 characters), branch labels, {@code label@head}, {@code
 * +N}, {@code -N}, {@code head-N}, {@code rev+N} and {@code rev-N}.
 */
public final class Planner {
  private static final Pattern RELATIVE = Pattern.compile("^(.*?)([+-])(\\d+)$");
  private final RevisionGraph graph;

  public Planner(RevisionGraph graph) {
    this.graph = graph;
  }

  /** The revisions to apply, in order, to take {@code currentHeads} up to {@code target}. */
  public List<Migration> upgrade(Collection<String> currentHeads, String target) {
    Set<String> applied = graph.closure(currentHeads);
    Set<String> targets = upgradeTargets(currentHeads, target);
    Set<String> wanted = graph.closure(targets);
    List<Migration> plan = new ArrayList<>();
    for (Migration m : graph.all()) {
      if (wanted.contains(m.revision()) && !applied.contains(m.revision())) {
        plan.add(m);
      }
    }
    return plan;
  }

  /**
   * The revisions a downgrade from {@code currentHeads} back to {@code targetHeads} (e.g. a
   * rollout's starting heads; empty for base) would have to cross but cannot, newest first: those
   * marked {@code irreversible: true} (or with an operation whose downgrade cannot be derived).
   * Empty when the downgrade can run. {@link Reversibility#refusal} says why for each.
   */
  public List<Migration> irreversibleBetween(
      Collection<String> currentHeads, Collection<String> targetHeads) {
    Set<String> remove = new LinkedHashSet<>(graph.closure(currentHeads));
    remove.removeAll(graph.closure(targetHeads));
    List<Migration> all = graph.all();
    List<Migration> out = new ArrayList<>();
    for (int i = all.size() - 1; i >= 0; i--) {
      Migration m = all.get(i);
      if (remove.contains(m.revision()) && Reversibility.irreversible(m)) {
        out.add(m);
      }
    }
    return out;
  }

  /**
   * The revisions to undo, in order (newest first), to take {@code currentHeads} to target. A
   * target naming several heads joined by commas (a rollout's branched starting point) is {@link
   * #downgradeTo exact}: everything applied outside their closure goes.
   */
  public List<Migration> downgrade(Collection<String> currentHeads, String target) {
    if (target.contains(",")) {
      return downgradeTo(currentHeads, List.of(target.split(",")));
    }
    Set<String> applied = graph.closure(currentHeads);
    Matcher rel = RELATIVE.matcher(target);
    if (rel.matches() && rel.group(1).isEmpty() && rel.group(2).equals("-")) {
      return stepsDown(currentHeads, RelativeSteps.count(rel.group(3), target), target);
    }
    Set<String> remove;
    if (target.equals("base")) {
      remove = applied;
    } else {
      String to = resolveOne(target, currentHeads);
      if (to == null) {
        remove = applied;
      } else if (!applied.contains(to)) {
        throw new RevisionException(
            target,
            "cannot downgrade to "
                + to
                + ": it is not applied (current: "
                + describe(currentHeads)
                + "); downgrade goes back to an applied revision, upgrade goes forward");
      } else {
        remove = new LinkedHashSet<>(graph.descendants(to));
        remove.retainAll(applied);
      }
    }
    List<Migration> plan = new ArrayList<>();
    List<Migration> all = graph.all();
    for (int i = all.size() - 1; i >= 0; i--) {
      if (remove.contains(all.get(i).revision())) {
        plan.add(all.get(i));
      }
    }
    return plan;
  }

  /**
   * The revisions to undo, newest first, so that exactly {@code targetHeads} (empty: base) are
   * left: everything applied minus the targets' closure, whichever branch it is on. Each target
   * must be applied. A rollback uses this to return to every starting head at once.
   */
  public List<Migration> downgradeTo(
      Collection<String> currentHeads, Collection<String> targetHeads) {
    Set<String> applied = graph.closure(currentHeads);
    List<String> targets = new ArrayList<>();
    for (String t : targetHeads) {
      String to = resolveOne(t.strip(), currentHeads);
      if (to != null && !applied.contains(to)) {
        throw new RevisionException(
            t,
            "cannot downgrade to "
                + String.join(", ", targetHeads)
                + ": "
                + to
                + " is not applied (current: "
                + describe(currentHeads)
                + "); downgrade goes back to applied revisions, upgrade goes forward");
      }
      if (to != null) {
        targets.add(to);
      }
    }
    Set<String> remove = new LinkedHashSet<>(applied);
    remove.removeAll(graph.closure(targets));
    List<Migration> plan = new ArrayList<>();
    List<Migration> all = graph.all();
    for (int i = all.size() - 1; i >= 0; i--) {
      if (remove.contains(all.get(i).revision())) {
        plan.add(all.get(i));
      }
    }
    return plan;
  }

  /**
   * One revision id for an expression (null for {@code base}); fails on anything that names several
   * revisions.
   */
  public String resolveOne(String expr, Collection<String> currentHeads) {
    Matcher rel = RELATIVE.matcher(expr);
    if (rel.matches() && !looksLikeId(expr)) {
      String from = rel.group(1);
      int n = RelativeSteps.count(rel.group(3), expr);
      boolean up = rel.group(2).equals("+");
      String start;
      if (from.isEmpty()) {
        start = single(currentHeads, expr, "the database");
      } else {
        start = resolveOne(from, currentHeads);
      }
      RelativeSteps moves = new RelativeSteps(graph);
      return up ? moves.up(start, n, expr) : moves.down(start, n, expr);
    }
    if (expr.equals("base")) {
      return null;
    }
    if (expr.equals("head")) {
      return single(graph.heads(), expr, "the migrations directory");
    }
    if (expr.equals("heads")) {
      throw new RevisionException(expr, "'heads' names every head; name one revision here");
    }
    if (expr.endsWith("@head")) {
      List<String> hs = labelHeads(expr.substring(0, expr.length() - 5), expr);
      return single(hs, expr, "branch " + expr.substring(0, expr.length() - 5));
    }
    return resolveId(expr);
  }

  private Set<String> upgradeTargets(Collection<String> currentHeads, String target) {
    if (target.equals("heads")) {
      return new LinkedHashSet<>(graph.heads());
    }
    if (target.equals("head") && graph.heads().size() > 1) {
      throw new RevisionException(
          target,
          "the migrations directory has "
              + graph.heads().size()
              + " heads ("
              + String.join(", ", graph.heads())
              + "): 'head' is ambiguous. Run 'convoy upgrade heads' to apply every branch, or"
              + " 'convoy merge heads -m \"merge\"' to join them into one head");
    }
    if (target.endsWith("@head")) {
      return new LinkedHashSet<>(labelHeads(target.substring(0, target.length() - 5), target));
    }
    String one = resolveOne(target, currentHeads);
    return one == null ? Set.of() : Set.of(one);
  }

  private List<Migration> stepsDown(Collection<String> currentHeads, int n, String expr) {
    List<Migration> plan = new ArrayList<>();
    Set<String> applied = new LinkedHashSet<>(graph.closure(currentHeads));
    for (int i = 0; i < n; i++) {
      Set<String> heads = graph.headsOf(applied);
      if (heads.isEmpty()) {
        throw new RevisionException(
            expr,
            "cannot go "
                + n
                + " revisions down: only "
                + i
                + " "
                + (i == 1 ? "is" : "are")
                + " applied; use 'convoy downgrade base' to undo everything");
      }
      String h = single(heads, expr, "the database");
      plan.add(graph.get(h));
      applied.remove(h);
    }
    return plan;
  }

  private List<String> labelHeads(String label, String expr) {
    String root =
        graph
            .labelled(label)
            .orElseThrow(
                () ->
                    new RevisionException(
                        expr, "no branch label '" + label + "' in the migrations directory"));
    Set<String> branch = new LinkedHashSet<>(graph.descendants(root));
    branch.add(root);
    return graph.heads().stream().filter(branch::contains).toList();
  }

  private String resolveId(String token) {
    if (graph.contains(token)) {
      return token;
    }
    var label = graph.labelled(token);
    if (label.isPresent()) {
      return label.get();
    }
    if (token.length() < 4) {
      throw new RevisionException(
          token,
          "no revision '"
              + token
              + "'; a revision prefix needs at least 4 characters (or use head, heads, base,"
              + " +N, -N)");
    }
    List<String> matches =
        graph.ids().stream().filter(id -> id.startsWith(token)).sorted().toList();
    if (matches.isEmpty()) {
      throw new RevisionException(
          token,
          "no revision '"
              + token
              + "' in the migrations directory; run 'convoy history' to list revisions");
    }
    if (matches.size() > 1) {
      throw new RevisionException(
          token,
          "revision prefix '"
              + token
              + "' is ambiguous; it matches "
              + String.join(", ", matches)
              + "; give more characters");
    }
    return matches.get(0);
  }

  private static String single(Collection<String> ids, String expr, String where) {
    if (ids.size() > 1) {
      throw new RevisionException(
          expr,
          "'"
              + expr
              + "' is ambiguous: "
              + where
              + " has several heads ("
              + String.join(", ", ids)
              + "); name the revision instead");
    }
    return ids.isEmpty() ? null : ids.iterator().next();
  }

  /** A revision id may itself end in -digits or +digits only if it exists as written. */
  private boolean looksLikeId(String expr) {
    return graph.contains(expr) || graph.labelled(expr).isPresent();
  }

  private static String describe(Collection<String> heads) {
    return heads.isEmpty() ? "base" : String.join(", ", heads);
  }
}
