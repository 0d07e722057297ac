package dev.convoy.agent.daemon;

import dev.convoy.graph.RevisionGraph;
import dev.convoy.rollout.Event;
import dev.convoy.rollout.Loops;
import dev.convoy.rollout.Plans;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's heartbeat loop: every period it says which agent it is, its environment's heads, its
 * migrations directory's digest, the command it is working on (so the coordinator knows that step
 * is alive) and the sessions of each application version in its database ({@link LiveVersions}),
 * logging and carrying on when Redis or the database is away. Apart from {@link AgentDaemon}
 * because it runs on its own thread beside the command loop.
 */
final class Heartbeat implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(Heartbeat.class);

  private final String agentId;
  private final String env;
  private final DirectoryCache directory;
  private final AgentEvents events;
  private final LiveVersions versions;
  private final Supplier<String> working;
  private final long periodMs;
  private volatile boolean running = true;

  Heartbeat(
      String agentId,
      String env,
      DirectoryCache directory,
      AgentEvents events,
      LiveVersions versions,
      Supplier<String> working,
      long periodMs) {
    this.agentId = agentId;
    this.env = env;
    this.directory = directory;
    this.events = events;
    this.versions = versions;
    this.working = working;
    this.periodMs = periodMs;
  }

  /** Ends the loop; its thread is interrupted next. */
  void stop() {
    running = false;
  }

  @Override
  public void run() {
    while (running) {
      try {
        RevisionGraph graph = directory.graph();
        events.publish(
            Event.heartbeat(
                agentId, env, events.heads(), Plans.digest(graph), working.get(), versions.read()));
      } catch (Exception e) {
        if (!running) {
          return;
        }
        log.warn("{} - heartbeat failed, trying again: {}", agentId, e.getMessage());
      }
      if (!Loops.pause(periodMs)) {
        running = false;
      }
    }
  }
}
