package dev.convoy.coordinator;

import dev.convoy.graph.RevisionGraph;
import dev.convoy.rollout.Plans;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.function.Supplier;

/**
 * {@code GET /api/environments}: each environment's agents, with whether each one's migrations
 * directory has the same digest as this coordinator's ({@code digest}, re-read at most every five
 * seconds; null when the directory cannot be read).
 */
final class AgentDigests {
  private static final long REREAD_NANOS = 5_000_000_000L;
  private final Roster roster;
  private final Supplier<RevisionGraph> graph;
  private volatile String digest;
  private volatile long digestReadAt;

  AgentDigests(Roster roster, Supplier<RevisionGraph> graph) {
    this.roster = roster;
    this.graph = graph;
  }

  JsonObject environments() {
    long now = System.nanoTime();
    if (digestReadAt == 0 || now - digestReadAt > REREAD_NANOS) {
      try {
        digest = Plans.digest(graph.get());
      } catch (RuntimeException e) {
        digest = null; // a broken directory: rollouts say why; here there is nothing to compare
      }
      digestReadAt = now;
    }
    String own = digest;
    JsonArray envs = roster.view();
    for (Object e : envs) {
      for (Object a : ((JsonObject) e).getJsonArray("agents")) {
        JsonObject agent = (JsonObject) a;
        agent.put("digest_matches", own == null || own.equals(agent.getString("digest")));
      }
    }
    return new JsonObject().put("environments", envs).put("digest", own);
  }
}
