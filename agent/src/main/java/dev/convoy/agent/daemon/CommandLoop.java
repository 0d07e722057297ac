package dev.convoy.agent.daemon;

import dev.convoy.rollout.Loops;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's command loop: as one consumer of its environment's group, first claims commands
 * another agent left unacknowledged for longer than the claim idle time (it died mid-way), else
 * reads new ones, hands each to {@link AgentDaemon#handle} and acknowledges it once handled. When
 * Redis lost the stream (restarted without persistence) it makes the group again; any other outage
 * is logged and retried. Apart from {@link AgentDaemon} so that reading the stream sits apart from
 * what a command does.
 */
final class CommandLoop implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(CommandLoop.class);

  private final String agentId;
  private final String env;
  private final String stream;
  private final long claimIdleMs;
  private final RedisBus bus;
  private final Consumer<String> handle;
  private volatile boolean running = true;

  CommandLoop(
      String agentId,
      String env,
      String stream,
      long claimIdleMs,
      RedisBus bus,
      Consumer<String> handle) {
    this.agentId = agentId;
    this.env = env;
    this.stream = stream;
    this.claimIdleMs = claimIdleMs;
    this.bus = bus;
    this.handle = handle;
  }

  /** Ends the loop; its thread is interrupted next. */
  void stop() {
    running = false;
  }

  @Override
  public void run() {
    while (running) {
      try {
        List<RedisBus.Entry> work = bus.claimStale(stream, env, agentId, claimIdleMs);
        if (work.isEmpty()) {
          work = bus.readGroup(stream, env, agentId, 1000);
        }
        for (RedisBus.Entry e : work) {
          handle.accept(e.json());
          bus.ack(stream, env, e.id());
        }
      } catch (Exception e) {
        if (running && String.valueOf(e.getMessage()).contains("NOGROUP")) {
          // Redis lost the stream (restarted without persistence): make the group again. The
          // coordinator sends again whatever it has not heard back about.
          log.warn("{} - command group missing (Redis restarted?); recreating it", agentId);
          try {
            bus.createGroup(stream, env);
          } catch (RuntimeException again) {
            sleep(1000);
          }
        } else if (running) {
          log.warn("{} - command stream unavailable, retrying: {}", agentId, e.getMessage());
          sleep(1000);
        }
      }
    }
  }

  private void sleep(long ms) {
    if (!Loops.pause(ms)) {
      running = false;
    }
  }
}
