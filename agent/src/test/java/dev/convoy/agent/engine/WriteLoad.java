package dev.convoy.agent.engine;

import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

/**
 * The old application writing while a migration runs: each worker, on its own connection, runs one
 * write after another (autocommit) and times each. Writes are chosen by {@code writes}, given a
 * random number; a failed write is kept with its error, never retried.
 */
final class WriteLoad implements AutoCloseable {
  private final List<Thread> workers = new ArrayList<>();
  private final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
  private final AtomicLong done = new AtomicLong();
  private final AtomicLong maxNanos = new AtomicLong();
  private final ConcurrentLinkedQueue<String> slowest = new ConcurrentLinkedQueue<>();
  private volatile boolean running = true;

  WriteLoad(String url, int workers, LongFunction<String> writes) {
    for (int w = 0; w < workers; w++) {
      Thread t = new Thread(() -> work(url, writes), "write-load-" + w);
      t.setDaemon(true);
      this.workers.add(t);
      t.start();
    }
  }

  private void work(String url, LongFunction<String> writes) {
    PgConnection c = PgConnection.connect(Engines.VERTX, PgConnectOptions.fromUri(url)).await();
    try {
      while (running) {
        String sql = writes.apply(ThreadLocalRandom.current().nextLong(Long.MAX_VALUE));
        long t0 = System.nanoTime();
        try {
          c.query(sql).execute().await();
          done.incrementAndGet();
        } catch (RuntimeException e) {
          errors.add(sql + ": " + e.getMessage());
        }
        long took = System.nanoTime() - t0;
        if (took > maxNanos.get()) {
          maxNanos.accumulateAndGet(took, Math::max);
          slowest.add(took / 1_000_000 + " ms: " + sql);
        }
      }
    } finally {
      c.close().await();
    }
  }

  long writesDone() {
    return done.get();
  }

  long maxMillis() {
    return maxNanos.get() / 1_000_000;
  }

  /** The slowest writes seen so far, slowest last. */
  List<String> slowest() {
    List<String> all = new ArrayList<>(slowest);
    return all.subList(Math.max(0, all.size() - 3), all.size());
  }

  List<String> errors() {
    return List.copyOf(errors);
  }

  @Override
  public void close() {
    running = false;
    for (Thread t : workers) {
      try {
        t.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
