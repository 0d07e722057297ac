package dev.convoy.agent.engine;

import dev.convoy.agent.db.DatabaseUrl;
import dev.convoy.agent.db.PgSession;
import dev.convoy.agent.db.TextSession;
import dev.convoy.rollout.Sleeper;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;

/**
 * Runs DDL politely. Every statement runs with a short lock_timeout, so while it queues for a lock
 * it holds up the table's readers and writers for at most that long; on SQLSTATE 55P03 it backs off
 * (exponential from 200 ms, doubling up to 5 s, each pause times a random factor in [0.5, 1.5)) and
 * tries again, a bounded number of times. The pause and the random factor are injectable, so a test
 * checks the schedule and the give-up without waiting.
 *
 * <p>While a statement waits, a watcher connection (opened the first time one is needed) asks
 * {@code pg_blocking_pids()} who blocks it, so when the retries run out the error names those
 * sessions and their queries.
 */
final class LockRetry implements AutoCloseable {
  private static final String BLOCKERS =
      "SELECT a.pid::text, a.application_name, a.state, left(a.query, 300),"
          + " to_char(a.xact_start, 'YYYY-MM-DD HH24:MI:SS TZ')"
          + " FROM pg_stat_activity a WHERE a.pid = ANY (pg_blocking_pids(%d))";

  private final Supplier<Vertx> vertx;
  private final DatabaseUrl url;
  private final String applicationName;
  private final Duration lockTimeout;
  private final int retries;
  private final MigrationListener listener;
  private final Sleeper sleeper;
  private final DoubleSupplier random;
  private ScheduledExecutorService timer;
  private TextSession watcher;

  LockRetry(
      Supplier<Vertx> vertx,
      DatabaseUrl url,
      String applicationName,
      Duration lockTimeout,
      int retries,
      MigrationListener listener) {
    this(
        vertx,
        url,
        applicationName,
        lockTimeout,
        retries,
        listener,
        Sleeper.THREAD,
        () -> ThreadLocalRandom.current().nextDouble());
  }

  /** {@code random} answers in [0, 1): the jitter; {@code sleeper} pauses between attempts. */
  LockRetry(
      Supplier<Vertx> vertx,
      DatabaseUrl url,
      String applicationName,
      Duration lockTimeout,
      int retries,
      MigrationListener listener,
      Sleeper sleeper,
      DoubleSupplier random) {
    this.sleeper = sleeper;
    this.random = random;
    this.vertx = vertx;
    this.url = url;
    this.applicationName = applicationName;
    this.lockTimeout = lockTimeout;
    this.retries = retries;
    this.listener = listener;
  }

  /** Runs {@code attempt}, which works on the connection whose server process is {@code pid}. */
  <T> T run(String what, int pid, Supplier<T> attempt) {
    long backoff = 200;
    for (int i = 0; ; i++) {
      long delay = Math.max(1, lockTimeout.toMillis() * 3 / 4);
      CompletableFuture<List<LockTimeoutException.Blocker>> watch = new CompletableFuture<>();
      ScheduledFuture<?> pending =
          timer().schedule(() -> watch.complete(blockers(pid)), delay, TimeUnit.MILLISECONDS);
      try {
        return attempt.get();
      } catch (RuntimeException e) {
        if (!isLockTimeout(e)) {
          throw e;
        }
        // A watcher that has not started yet has nothing to tell.
        List<LockTimeoutException.Blocker> blockers =
            pending.cancel(false) ? List.of() : seen(watch);
        if (i >= retries) {
          throw new LockTimeoutException(what, i + 1, lockTimeout.toMillis(), blockers, e);
        }
        long jittered = (long) (backoff * (0.5 + random.getAsDouble()));
        listener.lockRetry(what, i + 1, retries, blockers, Duration.ofMillis(jittered));
        sleep(jittered);
        backoff = Math.min(5000, backoff * 2);
      } finally {
        pending.cancel(false);
      }
    }
  }

  static boolean isLockTimeout(Throwable e) {
    return "55P03".equals(TextSession.sqlState(e));
  }

  private synchronized ScheduledExecutorService timer() {
    if (timer == null) {
      timer =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "convoy-lock-watch");
                t.setDaemon(true);
                return t;
              });
    }
    return timer;
  }

  /** Who blocks {@code pid} now; asked on the watcher's own connection. */
  private List<LockTimeoutException.Blocker> blockers(int pid) {
    List<LockTimeoutException.Blocker> out = new ArrayList<>();
    try {
      synchronized (this) {
        if (watcher == null) {
          watcher = PgSession.openText(url, applicationName);
        }
      }
      for (String[] r : watcher.rows(String.format(BLOCKERS, pid))) {
        out.add(new LockTimeoutException.Blocker(Integer.parseInt(r[0]), r[1], r[2], r[3], r[4]));
      }
    } catch (RuntimeException e) {
      // Who blocked is a courtesy in the error message; the lock timeout itself is the error.
    }
    return out;
  }

  /** What the watcher saw, if it looked during the attempt (it answers within two seconds). */
  private static List<LockTimeoutException.Blocker> seen(
      CompletableFuture<List<LockTimeoutException.Blocker>> watch) {
    try {
      return watch.get(2, TimeUnit.SECONDS);
    } catch (Exception e) {
      return List.of();
    }
  }

  private void sleep(long ms) {
    try {
      sleeper.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while backing off from a lock timeout", e);
    }
  }

  @Override
  public synchronized void close() {
    if (timer != null) {
      timer.shutdownNow();
      timer = null;
    }
    if (watcher != null) {
      watcher.close();
      watcher = null;
    }
  }
}
