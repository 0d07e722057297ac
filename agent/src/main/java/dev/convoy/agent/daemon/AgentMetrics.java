package dev.convoy.agent.daemon;

import dev.convoy.agent.engine.BackfillProgress;
import dev.convoy.agent.engine.Direction;
import dev.convoy.agent.engine.MigrationListener;
import dev.convoy.migration.Migration;
import dev.convoy.rollout.Command;
import dev.convoy.rollout.Event;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/** An agent's Prometheus metrics (names as in DESIGN.md), fed by the engine's listener. */
final class AgentMetrics {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final AtomicLong backfillRate = new AtomicLong();

  AgentMetrics(String env) {
    registry.gauge("convoy_backfill_rows_per_second", List.of(Tag.of("env", env)), backfillRate);
  }

  String scrape() {
    return registry.scrape();
  }

  void stepDone(Command c, Duration took) {
    Timer.builder("convoy_step_duration_seconds")
        .tags("env", c.env(), "phase", c.phase(), "action", c.action())
        .register(registry)
        .record(took);
  }

  /** Counts what the engine reports and streams backfill progress (at most twice a second). */
  MigrationListener listener(Command c, String agentId, Consumer<Event> publish) {
    Counter applied =
        Counter.builder("convoy_migrations_applied_total").tag("env", c.env()).register(registry);
    Counter rows =
        Counter.builder("convoy_backfill_rows_total").tag("env", c.env()).register(registry);
    AtomicLong lastRows = new AtomicLong();
    AtomicLong lastSent = new AtomicLong();
    return new MigrationListener() {
      @Override
      public void finished(Migration m, Direction direction, Duration took) {
        applied.increment();
      }

      @Override
      public void lockAcquired(Duration waited) {
        Timer.builder("convoy_lock_wait_seconds")
            .tag("env", c.env())
            .register(registry)
            .record(waited);
      }

      @Override
      public void lockRetry(
          String what,
          int attempt,
          int retries,
          List<dev.convoy.agent.engine.LockTimeoutException.Blocker> blockers,
          Duration backoff) {
        Counter.builder("convoy_lock_retries_total")
            .tag("env", c.env())
            .register(registry)
            .increment();
      }

      @Override
      public void backfill(Migration m, BackfillProgress p) {
        rows.increment(Math.max(0, p.rowsDone() - lastRows.getAndSet(p.rowsDone())));
        backfillRate.set((long) p.rowsPerSecond());
        long now = System.currentTimeMillis();
        if (p.finished() || now - lastSent.get() >= 500) {
          lastSent.set(now);
          publish.accept(Event.progress(agentId, c, p.rowsDone(), p.estimatedTotal()));
        }
      }
    };
  }
}
