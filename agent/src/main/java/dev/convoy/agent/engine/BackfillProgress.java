package dev.convoy.agent.engine;

import java.time.Duration;

/**
 * Where a backfill stands: rows updated so far, the planner's estimate of the total (0 when
 * unknown), the recent rate and the time left at that rate.
 */
public record BackfillProgress(
    String table,
    long rowsDone,
    long estimatedTotal,
    double rowsPerSecond,
    int batchSize,
    boolean finished) {
  public Duration eta() {
    if (rowsPerSecond <= 0 || estimatedTotal <= rowsDone) {
      return Duration.ZERO;
    }
    return Duration.ofMillis((long) ((estimatedTotal - rowsDone) / rowsPerSecond * 1000));
  }

  /** Fraction done, 0..1 (1 when the total is unknown). */
  public double fraction() {
    return estimatedTotal <= 0 ? 1 : Math.min(1, (double) rowsDone / estimatedTotal);
  }
}
