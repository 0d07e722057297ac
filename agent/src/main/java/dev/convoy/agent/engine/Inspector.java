package dev.convoy.agent.engine;

import dev.convoy.agent.db.PgSession;
import dev.convoy.agent.state.StateStore;
import dev.convoy.graph.RevisionGraph;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Map;

/**
 * Read-only questions about a database: where it is, what was applied when, and whether the
 * migrations directory still matches it. Takes no lock and creates nothing.
 */
public final class Inspector {
  private final Vertx vertx;
  private final EngineConfig config;
  private final RevisionGraph graph;
  private final StateStore state;

  public Inspector(Vertx vertx, EngineConfig config, RevisionGraph graph) {
    this.vertx = vertx;
    this.config = config;
    this.graph = graph;
    this.state = new StateStore(config.schema());
  }

  /** What the database records, read in one connection. */
  public record Snapshot(
      List<String> heads,
      Map<String, String> checksums,
      Map<String, StateStore.Applied> applied,
      java.util.Set<String> expanded) {}

  public Snapshot snapshot() {
    try (PgSession db =
        PgSession.open(vertx, config.url(), config.who().applicationName("inspect"))) {
      return new Snapshot(
          state.heads(db), state.recordedChecksums(db), state.lastApplied(db), state.expanded(db));
    }
  }

  /** Everything 'convoy check' reports. */
  public record CheckReport(
      List<StateValidator.Unknown> unknown,
      List<StateValidator.Changed> changed,
      List<String> pending) {
    public boolean ok() {
      return unknown.isEmpty() && changed.isEmpty();
    }
  }

  public CheckReport check() {
    Snapshot s = snapshot();
    List<String> known = s.heads().stream().filter(graph::contains).toList();
    var applied = graph.closure(known);
    List<String> pending =
        graph.all().stream().map(m -> m.revision()).filter(r -> !applied.contains(r)).toList();
    return new CheckReport(
        StateValidator.unknown(graph, s.heads()),
        StateValidator.changed(graph, known, s.checksums()),
        pending);
  }
}
