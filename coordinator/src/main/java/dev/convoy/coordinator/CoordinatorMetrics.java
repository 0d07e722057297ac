package dev.convoy.coordinator;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** The coordinator's Prometheus metrics (names as in DESIGN.md). */
final class CoordinatorMetrics {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final AtomicInteger active = new AtomicInteger();
  private final Map<String, AtomicInteger> stageState = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> agentsUp = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> lastRows = new ConcurrentHashMap<>();
  private final Counter rollbacks;
  private final Counter ticks;
  private final AtomicInteger leader = new AtomicInteger();
  private final Map<String, Counter> rejected = new ConcurrentHashMap<>();

  CoordinatorMetrics(List<String> environments) {
    registry.gauge("convoy_rollouts_active", active);
    registry.gauge("convoy_coordinator_leader", leader);
    rollbacks = Counter.builder("convoy_rollbacks_total").register(registry);
    ticks =
        Counter.builder("convoy_driver_ticks")
            .description("Rounds of rollout decisions this coordinator finished as the leader")
            .register(registry);
    for (String reason : EventCheck.REASONS) {
      rejected.put(
          reason,
          Counter.builder("convoy_events_rejected")
              .description("Entries of the events stream skipped, by why")
              .tag("reason", reason)
              .register(registry));
    }
    for (String env : environments) {
      stageState.put(
          env,
          registry.gauge("convoy_rollout_stage_state", Tags.of("env", env), new AtomicInteger()));
      agentsUp.put(
          env, registry.gauge("convoy_agents_up", Tags.of("env", env), new AtomicInteger()));
    }
  }

  void activeRollouts(int n) {
    active.set(n);
  }

  void leader(boolean isLeader) {
    leader.set(isLeader ? 1 : 0);
  }

  void stage(String env, String state) {
    AtomicInteger g = stageState.get(env);
    if (g != null) {
      g.set(Stage.metric(state));
    }
  }

  void agentsUp(String env, int n) {
    AtomicInteger g = agentsUp.get(env);
    if (g != null) {
      g.set(n);
    }
  }

  /** An entry of the events stream refused for {@code reason} (one of EventCheck.REASONS). */
  void eventRejected(String reason) {
    rejected.get(reason).increment();
  }

  /** The driver finished one round of decisions as the leader. */
  void ticked() {
    ticks.increment();
  }

  void rollback() {
    rollbacks.increment();
  }

  void stepDuration(String env, double seconds) {
    Timer.builder("convoy_step_duration_seconds")
        .tag("env", env)
        .register(registry)
        .record(Duration.ofMillis((long) (seconds * 1000)));
  }

  /** Progress events carry a running total per step; the counter grows by the difference. */
  void backfillRows(String env, Long rows) {
    if (rows == null) {
      return;
    }
    long before = lastRows.computeIfAbsent(env, e -> new AtomicLong()).getAndSet(rows);
    long delta = rows >= before ? rows - before : rows;
    Counter.builder("convoy_backfill_rows_total")
        .tag("env", env)
        .register(registry)
        .increment(delta);
  }

  /** How long an agent's event took to reach this coordinator (clocks of one machine or NTP). */
  void eventLag(String type, long millis) {
    Timer.builder("convoy_event_lag_seconds")
        .tag("type", type.equals("heartbeat") ? "heartbeat" : "step")
        .publishPercentiles(0.5, 0.99)
        .register(registry)
        .record(Duration.ofMillis(Math.max(0, millis)));
  }

  String scrape() {
    return registry.scrape();
  }
}
