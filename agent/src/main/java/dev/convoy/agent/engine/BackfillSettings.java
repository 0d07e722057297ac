package dev.convoy.agent.engine;

import dev.convoy.error.ConvoyException;
import dev.convoy.error.ErrorCode;
import java.time.Duration;

/**
 * How a backfill paces itself: batches start at {@code initialBatch} rows and are resized after
 * each one towards {@code targetBatchTime} (short batches hold row locks briefly); {@code
 * maxRowsPerSecond} (0: no cap) bounds the write rate, to spare replicas and the WAL.
 */
public record BackfillSettings(Duration targetBatchTime, int initialBatch, long maxRowsPerSecond) {
  public static final BackfillSettings DEFAULTS =
      new BackfillSettings(Duration.ofMillis(100), 1000, 0);
  public static final int MIN_BATCH = 50;
  public static final int MAX_BATCH = 100_000;

  public BackfillSettings {
    if (targetBatchTime.toMillis() < 5 || targetBatchTime.toSeconds() > 60) {
      throw new ConvoyException(
          ErrorCode.BAD_INPUT,
          "backfill batch time "
              + targetBatchTime.toMillis()
              + " ms must be 5 ms to 60 s (default 100ms)");
    }
    if (initialBatch < MIN_BATCH || initialBatch > MAX_BATCH) {
      throw new ConvoyException(
          ErrorCode.BAD_INPUT,
          "backfill batch size " + initialBatch + " must be " + MIN_BATCH + " to " + MAX_BATCH);
    }
    if (maxRowsPerSecond < 0) {
      throw new ConvoyException(
          ErrorCode.BAD_INPUT,
          "max rows per second " + maxRowsPerSecond + " must be 0 (no cap) or more");
    }
  }
}
