package dev.convoy.agent.daemon;

import dev.convoy.agent.engine.BackfillProgress;
import dev.convoy.agent.engine.Direction;
import dev.convoy.agent.engine.LockTimeoutException;
import dev.convoy.agent.engine.MigrationListener;
import dev.convoy.migration.Migration;
import dev.convoy.rollout.BuildVersion;
import dev.convoy.rollout.Command;
import dev.convoy.rollout.Event;
import dev.convoy.rollout.RecentRevisions;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.core.metrics.Info;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * An agent's Prometheus metrics (names as in DESIGN.md; what deploy/prometheus/alerts.yml and
 * deploy/grafana/convoy.json read), fed by the engine's listener. Step durations, lock waits and
 * lock retries carry {@code op} (one of {@link Command#OPS}) and {@code revision} (the command's
 * target); only the last {@link RecentRevisions#CAPACITY} revisions keep their series, so the
 * labels stay bounded however long the agent runs.
 */
final class AgentMetrics {
  private static final String STEP_DURATION = "convoy_step_duration_seconds";
  private static final String LOCK_WAIT = "convoy_lock_wait_seconds";
  private static final String LOCK_RETRIES = "convoy_lock_retries";

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final RecentRevisions revisions = new RecentRevisions(RecentRevisions.CAPACITY);
  private final AtomicLong backfillRate = new AtomicLong();
  private final AtomicLong backfillRunning = new AtomicLong();
  private final AtomicLong backfillDone = new AtomicLong();
  private final AtomicLong backfillEstimated = new AtomicLong();
  private final AtomicLong backfillEta = new AtomicLong();

  AgentMetrics(String env) {
    Tags tags = Tags.of("env", env);
    // A Prometheus info metric: a gauge named *_info would lose the suffix in Micrometer's naming.
    Info.builder()
        .name("convoy_build_info")
        .help("The version of Convoy this agent runs")
        .labelNames("version", "component")
        .register(registry.getPrometheusRegistry())
        .setLabelValues(BuildVersion.current(), "agent");
    gauge(
        "convoy_backfill_rows_per_second",
        tags,
        backfillRate,
        "Rows per second the current backfill writes at its recent rate (0 when idle)");
    gauge("convoy_backfill_running", tags, backfillRunning, "1 while a backfill runs, else 0");
    gauge("convoy_backfill_rows_done", tags, backfillDone, "Rows the current backfill updated");
    gauge(
        "convoy_backfill_rows_estimated",
        tags,
        backfillEstimated,
        "The planner's estimate of the current backfill's rows (0 when unknown)");
    gauge(
        "convoy_backfill_eta_seconds",
        tags,
        backfillEta,
        "Seconds the current backfill needs at its recent rate (0 when idle or unknown)");
  }

  private void gauge(String name, Tags tags, AtomicLong value, String description) {
    Gauge.builder(name, value, AtomicLong::get)
        .description(description)
        .tags(tags)
        .register(registry);
  }

  String scrape() {
    return registry.scrape();
  }

  void stepDone(Command c, Duration took) {
    Timer.builder(STEP_DURATION)
        .description(
            "How long this agent's steps took, by op, phase, action and target revision (the last"
                + " ten revisions only)")
        .tags(labels(c).and("phase", c.phase(), "action", c.action()))
        .register(registry)
        .record(took);
  }

  /** A command ended, however: no backfill runs any more. */
  void stepEnded() {
    backfillRunning.set(0);
    backfillRate.set(0);
    backfillEta.set(0);
  }

  private static Tags labels(Command c) {
    return Tags.of("env", c.env(), "op", c.op(), "revision", c.target());
  }

  /** A command starts: its revision becomes recent, and the oldest one's series go. */
  private void starting(Command c) {
    revisions
        .seen(c.target())
        .ifPresent(
            old -> {
              for (String name : List.of(STEP_DURATION, LOCK_WAIT, LOCK_RETRIES)) {
                registry.find(name).tag("revision", old).meters().forEach(registry::remove);
              }
            });
  }

  /** Counts what the engine reports and streams backfill progress (at most twice a second). */
  MigrationListener listener(Command c, String agentId, Consumer<Event> publish) {
    starting(c);
    Counter applied =
        Counter.builder("convoy_migrations_applied_total")
            .description("Revisions this agent applied or rolled back")
            .tag("env", c.env())
            .register(registry);
    Counter rows =
        Counter.builder("convoy_backfill_rows_total")
            .description("Rows this agent's backfills updated")
            .tag("env", c.env())
            .register(registry);
    // Registered before anything waits, so a rollout without contention serves them at zero.
    Timer lockWait =
        Timer.builder(LOCK_WAIT)
            .description("How long statements waited for their table locks, by op and revision")
            .tags(labels(c))
            .register(registry);
    Counter lockRetries =
        Counter.builder(LOCK_RETRIES)
            .description("Statements that hit lock_timeout and were retried, by op and revision")
            .tags(labels(c))
            .register(registry);
    AtomicLong lastRows = new AtomicLong();
    AtomicLong lastSent = new AtomicLong();
    return new MigrationListener() {
      @Override
      public void finished(Migration m, Direction direction, Duration took) {
        applied.increment();
      }

      @Override
      public void lockAcquired(Duration waited) {
        lockWait.record(waited);
      }

      @Override
      public void lockRetry(
          String what,
          int attempt,
          int retries,
          List<LockTimeoutException.Blocker> blockers,
          Duration backoff) {
        lockRetries.increment();
      }

      @Override
      public void backfill(Migration m, BackfillProgress p) {
        rows.increment(Math.max(0, p.rowsDone() - lastRows.getAndSet(p.rowsDone())));
        backfillRunning.set(p.finished() ? 0 : 1);
        backfillRate.set(p.finished() ? 0 : (long) p.rowsPerSecond());
        backfillDone.set(p.rowsDone());
        backfillEstimated.set(p.estimatedTotal());
        backfillEta.set(p.finished() ? 0 : p.eta().toSeconds());
        long now = System.currentTimeMillis();
        if (p.finished() || now - lastSent.get() >= 500) {
          lastSent.set(now);
          publish.accept(Event.progress(agentId, c, p.rowsDone(), p.estimatedTotal()));
        }
      }
    };
  }
}
