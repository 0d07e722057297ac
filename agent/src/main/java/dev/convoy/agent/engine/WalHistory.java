package dev.convoy.agent.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The primary's WAL position over time, sampled between backfill batches, so a replica's replay
 * position can be turned into how long ago the primary was there: a replica that has replayed up to
 * LSN x is behind since the first sample that was past x. This measures what {@code
 * pg_stat_replication.replay_lag} cannot while a replica's replay stands still (the server computes
 * that lag only when replay reaches a position it sent), and it never counts a replica as behind
 * for WAL written before the first sample (it answers a lower bound then).
 */
final class WalHistory {
  /** Samples kept: at one per check interval, enough for minutes of history. */
  static final int MAX_SAMPLES = 4096;

  private record Sample(Instant at, long lsn) {}

  private final Deque<Sample> samples = new ArrayDeque<>();

  /** The primary was at {@code lsn} (bytes) at {@code at}; positions only grow. */
  synchronized void record(Instant at, long lsn) {
    Sample last = samples.peekLast();
    if (last != null && lsn <= last.lsn()) {
      return;
    }
    samples.addLast(new Sample(at, lsn));
    if (samples.size() > MAX_SAMPLES) {
      samples.removeFirst();
    }
  }

  /**
   * How long a replica that has replayed up to {@code replayLsn} has been behind at {@code now}:
   * zero when it has replayed every sampled position, else the time since the first sample past its
   * position. Samples no replica needs any more are not dropped here: each replica asks with its
   * own position.
   */
  synchronized Duration behind(long replayLsn, Instant now) {
    for (Sample s : samples) {
      if (s.lsn() > replayLsn) {
        Duration d = Duration.between(s.at(), now);
        return d.isNegative() ? Duration.ZERO : d;
      }
    }
    return Duration.ZERO;
  }
}
