package dev.convoy.coordinator;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's driver loop: every tick (or at once when woken: a step finished, a rollout was
 * created, approved or resumed) publishes how many agents of each environment are alive (and the
 * sessions of each application version they report) and, while this coordinator leads before its
 * lease deadline, lets the {@link Driver} move every active rollout one decision on and publishes
 * the latest rollout's stages. Apart from the {@link Coordinator} so that the loop's pacing (tick,
 * wake-ups) sits apart from the state machine.
 */
final class DriverLoop implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(DriverLoop.class);

  private final String id;
  private final LeaseLoop leadership;
  private final Driver driver;
  private final Rollouts rollouts;
  private final Roster roster;
  private final CoordinatorMetrics metrics;
  private final List<String> environments;
  private final long tickMs;
  private final Semaphore wake = new Semaphore(0);
  private volatile boolean running = true;

  DriverLoop(
      String id,
      LeaseLoop leadership,
      Driver driver,
      Rollouts rollouts,
      Roster roster,
      CoordinatorMetrics metrics,
      List<String> environments,
      long tickMs) {
    this.id = id;
    this.leadership = leadership;
    this.driver = driver;
    this.rollouts = rollouts;
    this.roster = roster;
    this.metrics = metrics;
    this.environments = environments;
    this.tickMs = tickMs;
  }

  /** Asks the driver to look at the rollouts now instead of at the next tick. */
  void wake() {
    wake.release();
  }

  /** Ends the loop; its thread is interrupted next. */
  void stop() {
    running = false;
  }

  @Override
  public void run() {
    while (running) {
      try {
        for (String env : environments) {
          metrics.agents(env, roster.alive(env), roster.silentMillis(env));
          metrics.versions(env, roster.versions().fresh(env, roster.now()));
        }
        long term = leadership.epoch();
        if (term >= 0 && leadership.held()) {
          driver.tick(term);
          updateStageMetrics();
          metrics.ticked();
        }
      } catch (Exception e) {
        if (!running) {
          return;
        }
        log.warn("{} - rollout tick failed, trying again: {}", id, e.getMessage());
      }
      try {
        if (wake.tryAcquire(tickMs, TimeUnit.MILLISECONDS)) {
          wake.drainPermits();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void updateStageMetrics() {
    metrics.waiting(rollouts.waitingSeconds());
    JsonObject latest = rollouts.latest();
    if (latest == null) {
      return;
    }
    for (Object s : latest.getJsonArray("stages")) {
      JsonObject stage = (JsonObject) s;
      metrics.stage(latest.getString("id"), stage.getString("env"), stage.getString("state"));
    }
  }
}
