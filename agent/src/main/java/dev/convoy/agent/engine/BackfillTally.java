package dev.convoy.agent.engine;

import dev.convoy.migration.Migration;
import java.time.Duration;

/** Rows done across the walks, reported to the listener one batch at a time. */
final class BackfillTally {
  private final MigrationListener listener;
  private final Migration m;
  private final String table;
  private final long estimate;
  private final long doneAtStart;
  private final long t0 = System.nanoTime();
  private long done;
  private int lastBatch;

  BackfillTally(
      MigrationListener listener, Migration m, String table, long estimate, long doneAtStart) {
    this.listener = listener;
    this.m = m;
    this.table = table;
    this.estimate = estimate;
    this.doneAtStart = doneAtStart;
    this.done = doneAtStart;
  }

  synchronized void add(long rows, int batch) {
    done += rows;
    lastBatch = batch;
    listener.backfill(
        m, new BackfillProgress(table, done, Math.max(estimate, done), rate(), batch, false));
  }

  synchronized void paused(String why) {
    listener.backfillPaused(m, table, why);
  }

  synchronized void resumed(Duration after) {
    listener.backfillResumed(m, table, after);
  }

  synchronized void finish() {
    listener.backfill(m, new BackfillProgress(table, done, done, rate(), lastBatch, true));
  }

  private double rate() {
    double seconds = (System.nanoTime() - t0) / 1e9;
    return seconds <= 0 ? 0 : (done - doneAtStart) / seconds;
  }
}
