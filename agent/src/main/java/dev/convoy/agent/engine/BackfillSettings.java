package dev.convoy.agent.engine;

import dev.convoy.error.ConvoyException;
import dev.convoy.error.ErrorCode;
import java.time.Duration;

/**
 * How a backfill paces itself: batches start at {@code initialBatch} rows and are resized after
 * each one towards {@code targetBatchTime} (short batches hold row locks briefly), shorter and with
 * pauses while the application is seen waiting (see {@code PaceController}); {@code
 * maxRowsPerSecond} (0: no cap) bounds the write rate, to spare replicas and the WAL; a big table
 * is split among up to {@code workers} connections walking their own ranges at once; with a {@code
 * maxReplicaLag} (zero: none) the backfill waits between batches while a streaming replica is
 * further behind than that.
 */
public record BackfillSettings(
    Duration targetBatchTime,
    int initialBatch,
    long maxRowsPerSecond,
    int workers,
    Duration maxReplicaLag) {
  public static final int DEFAULT_WORKERS = 2;
  public static final BackfillSettings DEFAULTS =
      new BackfillSettings(Duration.ofMillis(30), 1000, 0, DEFAULT_WORKERS, Duration.ZERO);
  public static final int MAX_WORKERS = 16;
  public static final int MIN_BATCH = 50;
  public static final int MAX_BATCH = 100_000;

  /** No replica lag limit. */
  public BackfillSettings(
      Duration targetBatchTime, int initialBatch, long maxRowsPerSecond, int workers) {
    this(targetBatchTime, initialBatch, maxRowsPerSecond, workers, Duration.ZERO);
  }

  /** One worker: every backfill walks its table on the migration's own connection. */
  public BackfillSettings(Duration targetBatchTime, int initialBatch, long maxRowsPerSecond) {
    this(targetBatchTime, initialBatch, maxRowsPerSecond, 1);
  }

  public BackfillSettings {
    maxReplicaLag = maxReplicaLag == null ? Duration.ZERO : maxReplicaLag;
    if (maxReplicaLag.isNegative() || maxReplicaLag.toHours() > 24) {
      throw new ConvoyException(
          ErrorCode.BAD_INPUT,
          "max replica lag "
              + maxReplicaLag
              + " must be 0 (no limit) to 24 hours, e.g. 5s: the backfill waits while a"
              + " streaming replica is further behind");
    }
    if (targetBatchTime.toMillis() < 5 || targetBatchTime.toSeconds() > 60) {
      throw new ConvoyException(
          ErrorCode.BAD_INPUT,
          "backfill batch time "
              + targetBatchTime.toMillis()
              + " ms must be 5 ms to 60 s (default 30ms)");
    }
    if (initialBatch < MIN_BATCH || initialBatch > MAX_BATCH) {
      throw new ConvoyException(
          ErrorCode.BAD_INPUT,
          "backfill batch size " + initialBatch + " must be " + MIN_BATCH + " to " + MAX_BATCH);
    }
    if (workers < 1 || workers > MAX_WORKERS) {
      throw new ConvoyException(
          ErrorCode.BAD_INPUT,
          "backfill workers "
              + workers
              + " must be 1 to "
              + MAX_WORKERS
              + " (default "
              + DEFAULT_WORKERS
              + ")");
    }
    if (maxRowsPerSecond < 0) {
      throw new ConvoyException(
          ErrorCode.BAD_INPUT,
          "max rows per second " + maxRowsPerSecond + " must be 0 (no cap) or more");
    }
  }
}
