package dev.convoy.agent.engine;

import dev.convoy.agent.db.PgSession;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the application fares while a backfill runs, seen from the server: a thread on a connection
 * of its own reads {@code pg_stat_activity} every {@code every} for the other client sessions of
 * this database that are running a statement begun since the backfill started (a report that was
 * already running is not the backfill's doing), and keeps how long the oldest of them has been
 * running and how many of them wait for a lock a backfill session holds ({@code pg_blocking_pids}).
 * A statement seen running for longer than the application's latency budget is the application's
 * latency, measured where it happens; a session blocked by a backfill worker is a row lock the
 * batch holds too long.
 *
 * <p>The watch is best effort: when its connection cannot be had or a sample fails, it says
 * nothing, and the backfill paces itself by its batch time alone.
 */
final class AppWatch implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AppWatch.class);
  private static final String SAMPLE =
      "SELECT count(*)::int AS active,"
          + " coalesce(max(extract(epoch FROM clock_timestamp() - query_start)) * 1000, 0)::float8"
          + " AS oldest_ms,"
          + " (count(*) FILTER (WHERE wait_event_type = 'Lock'"
          + " AND pg_blocking_pids(pid) && $1::int[]))::int AS blocked"
          + " FROM pg_stat_activity WHERE datname = current_database()"
          + " AND backend_type = 'client backend' AND state = 'active'"
          + " AND pid <> pg_backend_pid() AND pid <> ALL ($1::int[]) AND query_start >= $2";

  /** Samples kept: a few seconds' worth, more than any batch and pause. */
  private static final int KEPT = 256;

  /** What the watch saw over a stretch of time: how many samples, the slowest statement, waits. */
  record Signal(int samples, double slowestMs, int blocked) {
    static final Signal NONE = new Signal(0, 0, 0);
  }

  private record Sample(Instant at, double oldestMs, int blocked) {}

  private final Clock clock;
  private final Set<Integer> backfillPids = ConcurrentHashMap.newKeySet();
  private final Deque<Sample> samples = new ArrayDeque<>();
  private volatile boolean closed;
  private Thread thread;

  private AppWatch(Clock clock) {
    this.clock = clock;
  }

  /** A watch that never sees anything: no connection, or a test of the pace alone. */
  static AppWatch blind(Clock clock) {
    return new AppWatch(clock);
  }

  /** Starts sampling on {@code session} (closed with the watch) every {@code every}. */
  static AppWatch start(PgSession session, Duration every, Clock clock) {
    AppWatch w = new AppWatch(clock);
    java.time.OffsetDateTime since = java.time.OffsetDateTime.now(clock);
    w.thread =
        new Thread(
            () -> {
              try (session) {
                w.loop(session, every, since);
              } catch (RuntimeException e) {
                LOG.debug("backfill watch stopped: {}", e.getMessage());
              }
            },
            "convoy-backfill-watch");
    w.thread.setDaemon(true);
    w.thread.start();
    return w;
  }

  /** A backfill worker's backend: its lock holders are what {@code blocked} counts. */
  void backfillPid(int pid) {
    backfillPids.add(pid);
  }

  private void loop(PgSession session, Duration every, java.time.OffsetDateTime since) {
    while (!closed) {
      Integer[] pids = backfillPids.toArray(Integer[]::new);
      Row r = session.query(SAMPLE, Tuple.of(pids, since)).iterator().next();
      synchronized (samples) {
        samples.addLast(
            new Sample(clock.instant(), r.getDouble("oldest_ms"), r.getInteger("blocked")));
        if (samples.size() > KEPT) {
          samples.removeFirst();
        }
      }
      try {
        Thread.sleep(every.toMillis());
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** The worst of the samples taken at or after {@code from}. */
  Signal since(Instant from) {
    int n = 0;
    double slowest = 0;
    int blocked = 0;
    synchronized (samples) {
      for (var it = samples.descendingIterator(); it.hasNext(); ) {
        Sample s = it.next();
        if (s.at().isBefore(from)) {
          break;
        }
        n++;
        slowest = Math.max(slowest, s.oldestMs());
        blocked = Math.max(blocked, s.blocked());
      }
    }
    return n == 0 ? Signal.NONE : new Signal(n, slowest, blocked);
  }

  @Override
  public void close() {
    closed = true;
    if (thread != null) {
      // Not interrupted: a query in flight finishes, then the loop sees the flag.
      try {
        thread.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
