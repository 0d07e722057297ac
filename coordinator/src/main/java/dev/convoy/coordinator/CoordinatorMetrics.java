package dev.convoy.coordinator;

import dev.convoy.rollout.BuildVersion;
import dev.convoy.rollout.RecentRevisions;
import dev.convoy.rollout.VersionSessions;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.core.metrics.Info;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The coordinator's Prometheus metrics (names as in DESIGN.md; what deploy/prometheus/alerts.yml
 * and deploy/grafana/convoy.json read). Labels stay bounded: {@code env} from the configured
 * environments, {@code op} from {@link dev.convoy.rollout.Command#OPS}, {@code revision} from the
 * last {@link RecentRevisions#CAPACITY} revisions (older ones' series are removed), {@code version}
 * from the last {@link RecentRevisions#CAPACITY} version names seen per environment.
 */
final class CoordinatorMetrics {
  private static final String STEP_DURATION = "convoy_step_duration_seconds";
  private static final String VERSION_SESSIONS = "convoy_version_sessions";

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final AtomicInteger active = new AtomicInteger();
  private final Map<String, StageClock> stages = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> agentsUp = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> agentSilence = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> lastRows = new ConcurrentHashMap<>();
  private final RecentRevisions revisions = new RecentRevisions(RecentRevisions.CAPACITY);
  private final Counter rollbacks;
  private final Counter ticks;
  private final Counter leadershipChanges;
  private final AtomicInteger leader = new AtomicInteger();
  private final AtomicLong waitingMillis = new AtomicLong();
  private final Map<String, Counter> rejected = new ConcurrentHashMap<>();
  private final Map<String, Map<String, AtomicInteger>> versionSessions = new ConcurrentHashMap<>();
  private final Map<String, RecentRevisions> recentVersions = new ConcurrentHashMap<>();

  /**
   * One environment's stage of the latest rollout: its state's number and since when (nanoTime) it
   * has been in it, for convoy_rollout_stage_state_seconds.
   */
  private final class StageClock {
    final AtomicInteger state = new AtomicInteger();
    volatile String rollout;
    volatile long since = nanoTime.getAsLong();

    double seconds() {
      return (nanoTime.getAsLong() - since) / 1e9;
    }
  }

  private final LongSupplier nanoTime;

  CoordinatorMetrics(List<String> environments) {
    this(environments, System::nanoTime);
  }

  /** With the monotonic clock the stage clocks read ({@link System#nanoTime()} but in tests). */
  CoordinatorMetrics(List<String> environments, LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
    // A Prometheus info metric: a gauge named *_info would lose the suffix in Micrometer's naming.
    Info.builder()
        .name("convoy_build_info")
        .help("The version of Convoy this coordinator runs")
        .labelNames("version", "component")
        .register(registry.getPrometheusRegistry())
        .setLabelValues(BuildVersion.current(), "coordinator");
    gauge(
        "convoy_rollouts_active",
        Tags.empty(),
        active,
        "Rollouts not yet ended (pending, running, waiting, paused or rolling back), as the leader"
            + " last counted them");
    gauge(
        "convoy_coordinator_leader",
        Tags.empty(),
        leader,
        "1 while this coordinator holds the lease and drives the rollouts, else 0");
    Gauge.builder("convoy_rollout_waiting_seconds", waitingMillis, m -> m.get() / 1000.0)
        .description(
            "Seconds the active rollout that has waited longest has been waiting (at a gate, the"
                + " deploy window, or its rollback at a data-loss approval) or paused; 0 when none"
                + " is. Kept by the leader")
        .register(registry);
    leadershipChanges =
        Counter.builder("convoy_leadership_changes")
            .description("Times this coordinator took the lease or lost it")
            .register(registry);
    rollbacks =
        Counter.builder("convoy_rollbacks_total")
            .description(
                "Rollbacks started (a failed step, or asked for), counted when they start, whether"
                    + " they end rolled back, wait at a data-loss approval or fail")
            .register(registry);
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
      StageClock stage = new StageClock();
      stages.put(env, stage);
      gauge(
          "convoy_rollout_stage_state",
          Tags.of("env", env),
          stage.state,
          "The latest rollout's stage in the environment: 0 pending, 1 running, 2 expanded, 3"
              + " done, 4 rolling back, 5 rolled back, -1 failed. Kept by the leader");
      Gauge.builder("convoy_rollout_stage_state_seconds", stage, StageClock::seconds)
          .description(
              "Seconds the latest rollout's stage has been in its current state (since this"
                  + " coordinator saw it change)")
          .tag("env", env)
          .register(registry);
      AtomicInteger up = new AtomicInteger();
      agentsUp.put(env, up);
      gauge(
          "convoy_agents_up",
          Tags.of("env", env),
          up,
          "Agents of the environment heard from in the last five seconds");
      AtomicLong silence = new AtomicLong();
      agentSilence.put(env, silence);
      Gauge.builder("convoy_agent_last_heard_seconds", silence, s -> s.get() / 1000.0)
          .description(
              "Seconds since the environment's last agent heartbeat (since the start if none)")
          .tag("env", env)
          .register(registry);
    }
  }

  /** The active rollout that has waited longest has been waiting or paused {@code seconds}. */
  void waiting(double seconds) {
    waitingMillis.set(Math.round(seconds * 1000));
  }

  void activeRollouts(int n) {
    active.set(n);
  }

  void leader(boolean isLeader) {
    if (leader.getAndSet(isLeader ? 1 : 0) != (isLeader ? 1 : 0)) {
      leadershipChanges.increment();
    }
  }

  /**
   * The latest rollout's stage in {@code env} is in {@code state}; its clock restarts on change.
   */
  void stage(String rollout, String env, String state) {
    StageClock s = stages.get(env);
    if (s == null) {
      return;
    }
    int value = Stage.metric(state);
    if (s.state.getAndSet(value) != value || !rollout.equals(s.rollout)) {
      s.rollout = rollout;
      s.since = nanoTime.getAsLong();
    }
  }

  /** {@code n} agents of {@code env} are alive; the freshest was heard {@code silentMs} ago. */
  void agents(String env, int n, long silentMs) {
    AtomicInteger g = agentsUp.get(env);
    if (g != null) {
      g.set(n);
      agentSilence.get(env).set(silentMs);
    }
  }

  /**
   * The sessions of each version in {@code env} as its agents last reported them ({@code null}: no
   * recent report, and the environment's series go, since nothing is known). A version seen before
   * and absent now shows 0; one that falls out of the recent names loses its series.
   */
  synchronized void versions(String env, Map<String, VersionSessions> report) {
    Map<String, AtomicInteger> series = versionSessions.computeIfAbsent(env, e -> new HashMap<>());
    if (report == null) {
      series.keySet().forEach(name -> removeVersion(env, name));
      series.clear();
      return;
    }
    RecentRevisions recent =
        recentVersions.computeIfAbsent(env, e -> new RecentRevisions(RecentRevisions.CAPACITY));
    Map<String, Integer> now = new HashMap<>();
    report.values().forEach(v -> now.merge(v.name(), v.sessions(), Integer::sum));
    for (var v : now.entrySet()) {
      recent
          .seen(v.getKey())
          .ifPresent(
              old -> {
                removeVersion(env, old);
                series.remove(old);
              });
      series.computeIfAbsent(v.getKey(), name -> versionGauge(env, name)).set(v.getValue());
    }
    series.forEach((name, g) -> g.set(now.getOrDefault(name, 0)));
  }

  private AtomicInteger versionGauge(String env, String name) {
    AtomicInteger value = new AtomicInteger();
    Gauge.builder(VERSION_SESSIONS, value, AtomicInteger::get)
        .description(
            "Sessions of each application version (application_name or login role"
                + " <schema>_v_<revision>) in the environment's database, as its agents last"
                + " reported them; absent while no agent of it reports")
        .tags("env", env, "version", name)
        .register(registry);
    return value;
  }

  private void removeVersion(String env, String name) {
    registry
        .find(VERSION_SESSIONS)
        .tags("env", env, "version", name)
        .meters()
        .forEach(registry::remove);
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

  /**
   * A step of {@code op} (see Command#op) bringing {@code env} to {@code revision} took {@code
   * seconds}. The revision that falls out of the recent ones takes its series with it.
   */
  void stepDuration(String env, String op, String revision, double seconds) {
    revisions
        .seen(revision)
        .ifPresent(
            old ->
                registry
                    .find(STEP_DURATION)
                    .tag("revision", old)
                    .meters()
                    .forEach(registry::remove));
    Timer.builder(STEP_DURATION)
        .description(
            "How long the agents' steps took, by environment, op and the revision the step"
                + " reached (the last ten revisions only)")
        .tags("env", env, "op", op, "revision", revision)
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
        .description("Rows backfilled in the environment, as its agents' progress reports say")
        .tag("env", env)
        .register(registry)
        .increment(delta);
  }

  /** How long an agent's event took to reach this coordinator (clocks of one machine or NTP). */
  void eventLag(String type, long millis) {
    Timer.builder("convoy_event_lag_seconds")
        .description(
            "Time from an agent sending an event to this coordinator reading it, by heartbeat or"
                + " step event")
        .tag("type", type.equals("heartbeat") ? "heartbeat" : "step")
        .publishPercentiles(0.5, 0.99)
        .register(registry)
        .record(Duration.ofMillis(Math.max(0, millis)));
  }

  private void gauge(String name, Tags tags, AtomicInteger value, String description) {
    Gauge.builder(name, value, AtomicInteger::get)
        .description(description)
        .tags(tags)
        .register(registry);
  }

  String scrape() {
    return registry.scrape();
  }
}
