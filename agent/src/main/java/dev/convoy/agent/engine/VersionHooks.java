package dev.convoy.agent.engine;

import dev.convoy.agent.db.BackendPid;
import dev.convoy.agent.db.TextSession;
import dev.convoy.agent.state.StateStore;
import dev.convoy.agent.versions.VersionKeeper;
import dev.convoy.graph.RevisionGraph;

/** The version keeper of one locked command: on the lock's connection, with its lock retry. */
final class VersionHooks {
  private VersionHooks() {}

  static VersionKeeper keeper(
      TextSession db, StateStore state, RevisionGraph graph, LockRetry retry) {
    return new VersionKeeper(
        db,
        state.schema(),
        graph,
        () -> state.expanded(db),
        (what, attempt) ->
            retry.run(
                what,
                BackendPid.of(db),
                () -> {
                  attempt.run();
                  return null;
                }));
  }
}
