package dev.convoy.coordinator;

import io.vertx.core.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Waiting for Redis with a deadline: a connection that dies under a pending call (Redis restarted)
 * must not hang the loop that made it.
 */
final class Replies {
  static final long DEFAULT_MS = 5000;

  private Replies() {}

  static <T> T await(Future<T> f, long timeoutMs) {
    try {
      return f.await(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new IllegalStateException("Redis did not answer within " + timeoutMs + " ms", e);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      // Vert.x fails futures with bare Throwables (CONNECTION_CLOSED) that await rethrows.
      throw new IllegalStateException(t.getMessage(), t);
    }
  }

  /** A control database call: no deadline of its own (the pool's), bare Throwables wrapped. */
  static <T> T awaitDb(Future<T> f) {
    try {
      return f.await();
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t.getMessage(), t);
    }
  }

  static <T> T await(Future<T> f) {
    return await(f, DEFAULT_MS);
  }
}
