package dev.convoy.graph;

import dev.convoy.error.RevisionException;
import java.util.List;

/**
 * Relative revision expressions ({@code +N}, {@code -N}, {@code rev+N}) walked over the graph: up
 * through children, down through parents, refusing a walk that meets a branch or a merge (the
 * expression would name several revisions) or runs out of revisions.
 */
final class RelativeSteps {
  private final RevisionGraph graph;

  RelativeSteps(RevisionGraph graph) {
    this.graph = graph;
  }

  String up(String start, int n, String expr) {
    String at = start;
    for (int i = 0; i < n; i++) {
      List<String> next = at == null ? graph.bases() : graph.children(at);
      if (next.isEmpty()) {
        throw new RevisionException(
            expr,
            "cannot go "
                + n
                + " revisions up from "
                + (start == null ? "base" : start)
                + ": "
                + (at == null ? "there are no revisions" : at + " is a head"));
      }
      if (next.size() > 1) {
        throw new RevisionException(
            expr,
            "'"
                + expr
                + "' is ambiguous: "
                + (at == null ? "base" : at)
                + " branches to "
                + String.join(", ", next)
                + "; name the revision to go to");
      }
      at = next.get(0);
    }
    return at;
  }

  String down(String start, int n, String expr) {
    String at = start;
    for (int i = 0; i < n; i++) {
      if (at == null) {
        throw new RevisionException(expr, "cannot go " + n + " revisions down: base reached");
      }
      List<String> parents = graph.get(at).downRevisions();
      if (parents.size() > 1) {
        throw new RevisionException(
            expr,
            "'"
                + expr
                + "' is ambiguous: "
                + at
                + " merges "
                + String.join(", ", parents)
                + "; name the revision to go to");
      }
      at = parents.isEmpty() ? null : parents.get(0);
    }
    return at;
  }

  /** The N of a relative revision ({@code +N}, {@code -N}, {@code rev+N}), within any graph. */
  static int count(String digits, String expr) {
    try {
      return Integer.parseInt(digits);
    } catch (NumberFormatException e) {
      throw new RevisionException(
          expr,
          "'"
              + expr
              + "' moves "
              + digits
              + " revisions, more than any migrations directory holds; give a smaller number or"
              + " a revision id");
    }
  }
}
