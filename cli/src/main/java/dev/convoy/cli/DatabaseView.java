package dev.convoy.cli;

import dev.convoy.agent.engine.Inspector;
import dev.convoy.error.ConvoyException;
import dev.convoy.graph.RevisionGraph;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the read-only commands know of the database. Without a URL (or when it cannot be reached and
 * the command can do without it) the view is empty and says so once on stderr.
 */
final class DatabaseView {
  final Inspector.Snapshot snapshot;
  final boolean connected;

  private DatabaseView(Inspector.Snapshot snapshot, boolean connected) {
    this.snapshot = snapshot;
    this.connected = connected;
  }

  static DatabaseView read(Cli cli, DbOptions db, RevisionGraph graph, boolean required) {
    if (!db.hasUrl() && !required) {
      return empty();
    }
    try {
      return new DatabaseView(new Inspector(cli.vertx(), db.engine(), graph).snapshot(), true);
    } catch (ConvoyException e) {
      if (required) {
        throw e;
      }
      cli.err().println("note: not showing what is applied: " + e.getMessage());
      cli.err().flush();
      return empty();
    }
  }

  private static DatabaseView empty() {
    return new DatabaseView(
        new Inspector.Snapshot(List.of(), Map.of(), Map.of(), java.util.Set.of()), false);
  }

  Set<String> applied(RevisionGraph graph) {
    return graph.closure(snapshot.heads().stream().filter(graph::contains).toList());
  }

  RevisionLines lines(RevisionGraph graph) {
    return new RevisionLines(
        graph, applied(graph), snapshot.heads(), snapshot.applied(), snapshot.expanded());
  }
}
