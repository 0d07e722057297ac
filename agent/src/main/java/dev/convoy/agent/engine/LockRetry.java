package dev.convoy.agent.engine;

import dev.convoy.agent.db.DatabaseUrl;
import dev.convoy.agent.db.PgSession;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnection;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Runs DDL politely. Every statement runs with a short lock_timeout, so while it queues for a lock
 * it holds up the table's readers and writers for at most that long; on SQLSTATE 55P03 it backs off
 * (exponential, jittered) and tries again, a bounded number of times.
 *
 * <p>While a statement waits, a watcher connection (opened the first time one is needed) asks
 * {@code pg_blocking_pids()} who blocks it, so when the retries run out the error names those
 * sessions and their queries.
 */
final class LockRetry implements AutoCloseable {
  private static final String BLOCKERS =
      "SELECT a.pid, a.application_name, a.state, left(a.query, 300) AS query,"
          + " to_char(a.xact_start, 'YYYY-MM-DD HH24:MI:SS TZ') AS since"
          + " FROM pg_stat_activity a WHERE a.pid = ANY (pg_blocking_pids($1))";

  private final Vertx vertx;
  private final DatabaseUrl url;
  private final String applicationName;
  private final int workPid;
  private final Duration lockTimeout;
  private final int retries;
  private final MigrationListener listener;
  private Future<PgConnection> watcher;

  LockRetry(
      Vertx vertx,
      DatabaseUrl url,
      String applicationName,
      int workPid,
      Duration lockTimeout,
      int retries,
      MigrationListener listener) {
    this.vertx = vertx;
    this.url = url;
    this.applicationName = applicationName;
    this.workPid = workPid;
    this.lockTimeout = lockTimeout;
    this.retries = retries;
    this.listener = listener;
  }

  <T> T run(String what, Supplier<T> attempt) {
    long backoff = 200;
    for (int i = 0; ; i++) {
      AtomicReference<Future<RowSet<Row>>> watch = new AtomicReference<>();
      long delay = Math.max(1, lockTimeout.toMillis() * 3 / 4);
      long timer =
          vertx.setTimer(
              delay,
              id ->
                  watch.set(
                      watcher()
                          .compose(c -> c.preparedQuery(BLOCKERS).execute(Tuple.of(workPid)))));
      try {
        return attempt.get();
      } catch (RuntimeException e) {
        if (!isLockTimeout(e)) {
          throw e;
        }
        List<LockTimeoutException.Blocker> blockers = blockers(watch.get());
        if (i >= retries) {
          throw new LockTimeoutException(what, i + 1, lockTimeout.toMillis(), blockers, e);
        }
        long jittered = (long) (backoff * (0.5 + ThreadLocalRandom.current().nextDouble()));
        listener.lockRetry(what, i + 1, retries, blockers, Duration.ofMillis(jittered));
        PgSession.await(vertx.timer(jittered));
        backoff = Math.min(5000, backoff * 2);
      } finally {
        vertx.cancelTimer(timer);
      }
    }
  }

  /** The watcher connection, opened on first use (on the event loop, so without blocking). */
  private synchronized Future<PgConnection> watcher() {
    if (watcher == null) {
      watcher =
          PgConnection.connect(
              vertx, url.options().addProperty("application_name", applicationName));
    }
    return watcher;
  }

  @Override
  public void close() {
    Future<PgConnection> w;
    synchronized (this) {
      w = watcher;
      watcher = null;
    }
    if (w != null) {
      try {
        PgSession.await(w.compose(PgConnection::close));
      } catch (RuntimeException e) {
        // A watcher that never connected, or a connection already gone.
      }
    }
  }

  static boolean isLockTimeout(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof PgException pg && "55P03".equals(pg.getSqlState())) {
        return true;
      }
    }
    return false;
  }

  private static List<LockTimeoutException.Blocker> blockers(Future<RowSet<Row>> watch) {
    List<LockTimeoutException.Blocker> out = new ArrayList<>();
    if (watch == null) {
      return out;
    }
    try {
      RowSet<Row> rows = watch.await(2, TimeUnit.SECONDS);
      for (Row r : rows) {
        out.add(
            new LockTimeoutException.Blocker(
                r.getInteger("pid"),
                r.getString("application_name"),
                r.getString("state"),
                r.getString("query"),
                r.getString("since")));
      }
    } catch (Exception e) {
      // Who blocked is a courtesy in the error message; the lock timeout itself is the error.
    }
    return out;
  }
}
