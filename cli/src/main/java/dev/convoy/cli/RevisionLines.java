package dev.convoy.cli;

import dev.convoy.agent.state.StateStore;
import dev.convoy.graph.RevisionGraph;
import dev.convoy.migration.Migration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** One revision as history, heads, current and show print it, in text and in JSON. */
final class RevisionLines {
  private final RevisionGraph graph;
  private final Set<String> applied;
  private final Collection<String> dbHeads;
  private final Map<String, StateStore.Applied> when;
  private final Set<String> expanded;

  RevisionLines(
      RevisionGraph graph,
      Set<String> applied,
      Collection<String> dbHeads,
      Map<String, StateStore.Applied> when,
      Set<String> expanded) {
    this.expanded = expanded;
    this.graph = graph;
    this.applied = applied;
    this.dbHeads = dbHeads;
    this.when = when;
  }

  /** "parent -> rev (head) (current), message". */
  String line(Migration m, boolean markApplied) {
    StringBuilder sb = new StringBuilder();
    if (markApplied) {
      sb.append(
          expanded.contains(m.revision())
              ? "[~] "
              : applied.contains(m.revision()) ? "[x] " : "[ ] ");
    }
    sb.append(m.downRevisions().isEmpty() ? "<base>" : String.join(", ", m.downRevisions()))
        .append(" -> ")
        .append(m.revision());
    for (String tag : tags(m)) {
      sb.append(" (").append(tag).append(')');
    }
    if (!m.branchLabels().isEmpty()) {
      sb.append(" (").append(String.join(", ", m.branchLabels())).append(')');
    }
    return sb.append(", ").append(m.message()).toString();
  }

  List<String> details(Migration m) {
    List<String> out = new ArrayList<>();
    out.add("    file:        " + m.file());
    out.add("    checksum:    " + m.checksum());
    if (!m.dependsOn().isEmpty()) {
      out.add("    depends on:  " + String.join(", ", m.dependsOn()));
    }
    if (!m.transactional()) {
      out.add("    runs outside a transaction");
    }
    StateStore.Applied a = when.get(m.revision());
    if (a != null && applied.contains(m.revision())) {
      out.add(
          "    "
              + (a.direction().equals("stamp") ? "stamped:     " : "applied:     ")
              + a.at()
              + (a.durationMs() == null || a.direction().equals("stamp")
                  ? ""
                  : " in " + a.durationMs() + " ms")
              + (a.host() == null
                  ? ""
                  : " by " + a.host() + (a.pid() == null ? "" : ":" + a.pid())));
    }
    return out;
  }

  List<String> tags(Migration m) {
    List<String> tags = new ArrayList<>();
    if (graph.children(m.revision()).isEmpty()) {
      tags.add("head");
    }
    if (graph.children(m.revision()).size() > 1) {
      tags.add("branchpoint");
    }
    if (m.isMerge()) {
      tags.add("mergepoint");
    }
    if (dbHeads.contains(m.revision())) {
      tags.add("current");
    }
    if (expanded.contains(m.revision())) {
      tags.add("expanded");
    }
    return tags;
  }

  Map<String, Object> json(Migration m) {
    Map<String, Object> j = new LinkedHashMap<>();
    j.put("revision", m.revision());
    j.put("down_revisions", m.downRevisions());
    j.put("message", m.message());
    j.put("branch_labels", m.branchLabels());
    j.put("depends_on", m.dependsOn());
    j.put("file", m.file());
    j.put("checksum", m.checksum());
    j.put("head", graph.children(m.revision()).isEmpty());
    j.put("current", dbHeads.contains(m.revision()));
    j.put("applied", applied.contains(m.revision()));
    j.put(
        "state",
        expanded.contains(m.revision())
            ? "expanded"
            : applied.contains(m.revision()) ? "applied" : "pending");
    StateStore.Applied a = when.get(m.revision());
    if (a != null && applied.contains(m.revision())) {
      j.put("applied_at", a.at() == null ? null : a.at().toString());
      j.put("duration_ms", a.durationMs());
    }
    return j;
  }
}
