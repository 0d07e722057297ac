package dev.convoy.coordinator;

import dev.convoy.rollout.ServiceProbe;
import dev.convoy.rollout.ServiceWait;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.util.List;

/**
 * What the coordinator must reach, Redis and its control database, as a {@link ServiceProbe}: a
 * coordinator that cannot reach them at start says so and exits (or waits as long as it was told
 * to), and {@code /health} answers {@code down} with the problems while either is unreachable.
 */
final class ServiceCheck {
  /**
   * A refused connection fails at once; this bounds only a server that accepts and stays silent,
   * generously, since a loaded host can take seconds to answer a first PING.
   */
  private static final long TIMEOUT_MS = 10_000;

  private ServiceCheck() {}

  static ServiceProbe of(Redis redis, String redisUrl, ControlStore store) {
    return new ServiceProbe(
        List.of(
            new ServiceProbe.Check(
                "Redis at " + ServiceWait.redacted(redisUrl) + " (--redis / CONVOY_REDIS_URL)",
                () -> Replies.await(redis.send(Request.cmd(Command.PING)), TIMEOUT_MS)),
            new ServiceProbe.Check(
                "the control database (--control-url / CONVOY_CONTROL_URL)",
                () -> controlDatabase(store))));
  }

  private static void controlDatabase(ControlStore store) {
    try {
      store.query("SELECT 1");
    } catch (RuntimeException e) {
      if (String.valueOf(e.getMessage()).contains("Timeout waiting for connection")) {
        throw new IllegalStateException(
            "no PostgreSQL startup answer within 10 s (is the URL's port a PostgreSQL server, or"
                + " is a proxy stuck?)",
            e);
      }
      throw e;
    }
  }
}
