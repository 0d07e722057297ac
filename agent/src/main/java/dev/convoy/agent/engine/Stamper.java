package dev.convoy.agent.engine;

import dev.convoy.agent.db.TextSession;
import dev.convoy.agent.state.HistoryEntry;
import dev.convoy.agent.state.StateStore;
import dev.convoy.agent.state.Who;
import dev.convoy.graph.Planner;
import dev.convoy.graph.RevisionGraph;
import dev.convoy.migration.Migration;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Moves the version table to a target without running migrations. On the target's branch the
 * applied set becomes exactly the target's ancestry; other branches keep what they have.
 */
final class Stamper {
  private final TextSession db;
  private final StateStore state;
  private final RevisionGraph graph;
  private final Who who;

  Stamper(TextSession db, StateStore state, RevisionGraph graph, Who who) {
    this.db = db;
    this.state = state;
    this.graph = graph;
    this.who = who;
  }

  MigrationResult stamp(Set<String> baseHeads, List<String> from, String target) {
    Set<String> before = graph.closure(baseHeads);
    Set<String> after = new LinkedHashSet<>(before);
    Set<String> targets = targets(target, from);
    if (targets.isEmpty()) {
      after.clear();
    }
    for (String t : targets) {
      after.removeAll(graph.descendants(t));
      after.addAll(graph.closure(List.of(t)));
    }
    Map<String, String> recorded = state.recordedChecksums(db);
    List<String> sql = new ArrayList<>();
    List<AppliedRevision> changed = new ArrayList<>();
    OffsetDateTime now = OffsetDateTime.now();
    for (String r : graph.sorted(after)) {
      Migration m = graph.get(r);
      if (!before.contains(r) || !m.checksum().equals(recorded.getOrDefault(r, m.checksum()))) {
        sql.add(state.historySql(entry(m, "stamp", now)));
        changed.add(new AppliedRevision(r, m.message(), Direction.UPGRADE, Duration.ZERO));
      }
    }
    List<String> removed = new ArrayList<>(before);
    removed.removeAll(after);
    for (String r : graph.sorted(removed)) {
      graph
          .find(r)
          .ifPresent(
              m -> {
                sql.add(state.historySql(entry(m, "unstamp", now)));
                changed.add(
                    new AppliedRevision(r, m.message(), Direction.DOWNGRADE, Duration.ZERO));
              });
    }
    Set<String> heads = graph.headsOf(after);
    state.ensure(db);
    db.execute(
        "BEGIN;\n"
            + state.setHeadsSql(heads)
            + (sql.isEmpty() ? "" : ";\n" + String.join(";\n", sql))
            + ";\nCOMMIT");
    return new MigrationResult(from, List.copyOf(heads), changed);
  }

  private Set<String> targets(String target, List<String> from) {
    if (target.equals("heads")) {
      return new LinkedHashSet<>(graph.heads());
    }
    Planner planner = new Planner(graph);
    String one = planner.resolveOne(target, from.stream().filter(graph::contains).toList());
    return one == null ? Set.of() : Set.of(one);
  }

  private HistoryEntry entry(Migration m, String direction, OffsetDateTime now) {
    return HistoryEntry.of(m, direction, "applied", now, now, 0L, null, who);
  }
}
