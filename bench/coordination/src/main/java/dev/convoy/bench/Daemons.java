package dev.convoy.bench;

import static dev.convoy.bench.CoordinationBench.log;

import dev.convoy.agent.daemon.AgentDaemon;
import dev.convoy.agent.db.DatabaseUrl;
import dev.convoy.agent.engine.EngineTuning;
import dev.convoy.coordinator.Coordinator;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** A coordinator and its in-process agents, as both parts use them: counting and stopping them. */
final class Daemons {
  private Daemons() {}

  /** The agents the coordinator currently sees alive, over all its environments. */
  static int aliveAgents(Coordinator c) {
    int n = 0;
    for (Object o : c.environmentsView()) {
      for (Object a : ((JsonObject) o).getJsonArray("agents")) {
        if (((JsonObject) a).getBoolean("alive", false)) {
          n++;
        }
      }
    }
    return n;
  }

  /** Starts the agent of {@code env} on {@code url}, as both parts run them. */
  static AgentDaemon startAgent(
      io.vertx.core.Vertx vertx, Options opt, Resources res, String namespace, String env, String url) {
    return new AgentDaemon(
            vertx,
            new AgentDaemon.Config(
                env,
                new DatabaseUrl(url),
                opt.redisUrl,
                namespace,
                res.dir,
                CoordinationBench.KEY,
                "agent-" + env,
                -1,
                "convoy",
                Duration.ofMillis(opt.heartbeatMs),
                Duration.ofSeconds(15),
                EngineTuning.DEFAULTS))
        .start();
  }

  /** Closes many agents at once (each waits for its threads), then the coordinator. */
  static void closeAll(List<AgentDaemon> list, Coordinator c) {
    // Agents stopped mid-heartbeat log "could not publish heartbeat event" (the Redis call is
    // interrupted); bench/coordination.sh counts those lines after this marker instead of showing them.
    log("stopping " + list.size() + " agent(s) and the coordinator");
    ExecutorService ex = Executors.newFixedThreadPool(Math.max(1, Math.min(16, list.size())));
    list.forEach(a -> ex.execute(a::close));
    ex.shutdown();
    try {
      ex.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (c != null) {
      c.close();
    }
  }
}
