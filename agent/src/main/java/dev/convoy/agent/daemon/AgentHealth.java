package dev.convoy.agent.daemon;

import dev.convoy.rollout.Loops;
import dev.convoy.rollout.ServiceProbe;
import dev.convoy.rollout.ServiceWait;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;

/**
 * Whether the agent can reach what it needs, its Redis and its environment's database: checked at
 * start (an agent that cannot reach them says so and exits, or waits as long as it was told to),
 * and then every two seconds for {@code /health}, which answers {@code down} with the problems
 * while either is unreachable, so an orchestrator or a load balancer sees a broken agent as broken.
 */
final class AgentHealth {
  private static final long PROBE_EVERY_MS = 2000;

  private final ServiceProbe services;
  private final String env;

  AgentHealth(RedisBus bus, SessionHolder db, String redisUrl, String env) {
    this.env = env;
    this.services =
        new ServiceProbe(
            List.of(
                new ServiceProbe.Check(
                    "Redis at " + ServiceWait.redacted(redisUrl) + " (--redis / CONVOY_REDIS_URL)",
                    () -> bus.send(io.vertx.redis.client.Command.PING)),
                new ServiceProbe.Check(
                    "the database of " + env + " (--url)", () -> selectOne(db))));
  }

  private static void selectOne(SessionHolder db) {
    try {
      synchronized (db) {
        db.get().value("SELECT 1");
      }
    } catch (RuntimeException e) {
      db.reset(); // the next use opens a new connection
      throw e;
    }
  }

  /**
   * Returns once both answer; retries until {@code waitFor} has passed (zero: one try), then fails
   * with one line saying what does not answer and what to do.
   */
  void awaitAtStart(Duration waitFor) {
    services.awaitAtStart(waitFor);
  }

  /** Probes until interrupted: the body of the agent's health thread. */
  void loop() {
    while (Loops.pause(PROBE_EVERY_MS)) {
      services.probe();
    }
  }

  /** The {@code /health} answer: status up or down, the problems, and what the agent is doing. */
  JsonObject json(String agentId, String working) {
    List<String> now = services.problems();
    return new JsonObject()
        .put("status", now.isEmpty() ? "up" : "down")
        .put("agent", agentId)
        .put("env", env)
        .put("working", working)
        .put("problems", new JsonArray(now));
  }
}
