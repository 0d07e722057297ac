package dev.convoy.graph;

import dev.convoy.error.RevisionException;
import dev.convoy.migration.Migration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The revisions of a migrations directory as a graph, with Alembic's semantics. Edges run from a
 * revision to its down_revisions (its parents) and to its depends_on revisions; both count as
 * ancestors, so upgrading to a revision applies its dependencies first. The database records only
 * the heads of what is applied: the applied set is their ancestor closure.
 */
public final class RevisionGraph {
  private final Map<String, Migration> byId = new LinkedHashMap<>();
  private final Map<String, String> byLabel = new HashMap<>();
  private final Map<String, List<String>> children = new HashMap<>();
  private final Map<String, List<String>> dependents = new HashMap<>();
  private final List<Migration> ordered;
  private final Map<String, Integer> position = new HashMap<>();

  public RevisionGraph(List<Migration> migrations) {
    for (Migration m : migrations) {
      byId.put(m.revision(), m);
      for (String l : m.branchLabels()) {
        byLabel.put(l, m.revision());
      }
    }
    for (Migration m : migrations) {
      for (String d : m.downRevisions()) {
        children.computeIfAbsent(d, k -> new ArrayList<>()).add(m.revision());
      }
      for (String d : dependencies(m)) {
        dependents.computeIfAbsent(d, k -> new ArrayList<>()).add(m.revision());
      }
    }
    this.ordered = topological();
    for (int i = 0; i < ordered.size(); i++) {
      position.put(ordered.get(i).revision(), i);
    }
  }

  /** Every revision, parents and dependencies before the revisions that need them. */
  public List<Migration> all() {
    return ordered;
  }

  public boolean isEmpty() {
    return byId.isEmpty();
  }

  public Optional<Migration> find(String id) {
    return Optional.ofNullable(byId.get(id));
  }

  public Migration get(String id) {
    Migration m = byId.get(id);
    if (m == null) {
      throw new RevisionException(
          id,
          "no revision '"
              + id
              + "' in the migrations directory; run 'convoy history' to list them");
    }
    return m;
  }

  /** Revisions no other revision builds on, in topological order. */
  public List<String> heads() {
    return ordered.stream()
        .map(Migration::revision)
        .filter(r -> children.getOrDefault(r, List.of()).isEmpty())
        .toList();
  }

  public List<String> bases() {
    return ordered.stream()
        .filter(m -> m.downRevisions().isEmpty())
        .map(Migration::revision)
        .toList();
  }

  /** Revisions with more than one child: where the graph branches. */
  public List<String> branchPoints() {
    return ordered.stream()
        .map(Migration::revision)
        .filter(r -> children.getOrDefault(r, List.of()).size() > 1)
        .toList();
  }

  public List<String> children(String id) {
    return List.copyOf(children.getOrDefault(id, List.of()));
  }

  /** down_revisions and depends_on (labels resolved to the revision carrying them). */
  public List<String> dependencies(Migration m) {
    List<String> out = new ArrayList<>(m.downRevisions());
    for (String d : m.dependsOn()) {
      String id = byLabel.getOrDefault(d, d);
      if (!out.contains(id)) {
        out.add(id);
      }
    }
    return out;
  }

  /** The ancestor closure of {@code ids}, including themselves. */
  public Set<String> closure(Collection<String> ids) {
    Set<String> seen = new LinkedHashSet<>();
    Deque<String> todo = new ArrayDeque<>(ids);
    while (!todo.isEmpty()) {
      String id = todo.pop();
      if (seen.add(id) && byId.containsKey(id)) {
        todo.addAll(dependencies(byId.get(id)));
      }
    }
    return seen;
  }

  /** Every revision that builds on {@code id}, directly or not, excluding it. */
  public Set<String> descendants(String id) {
    Set<String> seen = new LinkedHashSet<>();
    Deque<String> todo = new ArrayDeque<>();
    todo.addAll(children.getOrDefault(id, List.of()));
    todo.addAll(dependents.getOrDefault(id, List.of()));
    while (!todo.isEmpty()) {
      String r = todo.pop();
      if (seen.add(r)) {
        todo.addAll(children.getOrDefault(r, List.of()));
        todo.addAll(dependents.getOrDefault(r, List.of()));
      }
    }
    return seen;
  }

  /** The maximal elements of an applied set: what the version table records. */
  public Set<String> headsOf(Collection<String> applied) {
    Set<String> covered = new java.util.HashSet<>();
    for (String a : applied) {
      if (byId.containsKey(a)) {
        covered.addAll(dependencies(byId.get(a)));
      }
    }
    Set<String> closureCovered = closure(covered);
    Set<String> out = new TreeSet<>(this::compare);
    for (String a : applied) {
      if (!closureCovered.contains(a)) {
        out.add(a);
      }
    }
    return out;
  }

  /** Sorts revision ids in topological order (unknown ids last, by name). */
  public List<String> sorted(Collection<String> ids) {
    List<String> out = new ArrayList<>(ids);
    out.sort(this::compare);
    return out;
  }

  private int compare(String a, String b) {
    int pa = position.getOrDefault(a, Integer.MAX_VALUE);
    int pb = position.getOrDefault(b, Integer.MAX_VALUE);
    return pa != pb ? Integer.compare(pa, pb) : a.compareTo(b);
  }

  /** The revision carrying a branch label, if any. */
  public Optional<String> labelled(String label) {
    return Optional.ofNullable(byLabel.get(label));
  }

  public boolean contains(String id) {
    return byId.containsKey(id);
  }

  Collection<String> ids() {
    return byId.keySet();
  }

  /** Kahn's algorithm; ties broken by file name so the order is stable. */
  private List<Migration> topological() {
    Map<String, Integer> pending = new HashMap<>();
    TreeSet<Migration> ready =
        new TreeSet<>(
            (a, b) ->
                a.file().compareTo(b.file()) != 0
                    ? a.file().compareTo(b.file())
                    : a.revision().compareTo(b.revision()));
    for (Migration m : byId.values()) {
      int n = (int) dependencies(m).stream().filter(byId::containsKey).count();
      pending.put(m.revision(), n);
      if (n == 0) {
        ready.add(m);
      }
    }
    List<Migration> out = new ArrayList<>();
    while (!ready.isEmpty()) {
      Migration m = ready.pollFirst();
      out.add(m);
      List<String> next = new ArrayList<>(children.getOrDefault(m.revision(), List.of()));
      next.addAll(dependents.getOrDefault(m.revision(), List.of()));
      for (String c : new LinkedHashSet<>(next)) {
        int left = pending.merge(c, -1, Integer::sum);
        if (left == 0) {
          ready.add(byId.get(c));
        }
      }
    }
    return out;
  }
}
