package dev.convoy.coordinator;

import dev.convoy.rollout.ServiceWait;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Whether the coordinator can reach what it needs, Redis and its control database: checked at start
 * (a coordinator that cannot reach them says so and exits, or waits as long as it was told to), and
 * then every few seconds for {@code /health}, which answers {@code down} with the problems while
 * either is unreachable.
 */
final class ServiceCheck {
  /**
   * A refused connection fails at once; this bounds only a server that accepts and stays silent,
   * generously, since a loaded host can take seconds to answer a first PING.
   */
  private static final long TIMEOUT_MS = 10_000;

  private final Redis redis;
  private final String redisUrl;
  private final ControlStore store;
  private volatile List<String> problems = List.of();

  ServiceCheck(Redis redis, String redisUrl, ControlStore store) {
    this.redis = redis;
    this.redisUrl = redisUrl;
    this.store = store;
  }

  /** What is unreachable now (empty when all is well); also remembered for {@link #problems}. */
  List<String> probe() {
    List<String> out = new ArrayList<>();
    try {
      Replies.await(redis.send(Request.cmd(Command.PING)), TIMEOUT_MS);
    } catch (RuntimeException e) {
      out.add(
          "Redis at "
              + ServiceWait.redacted(redisUrl)
              + " (--redis / CONVOY_REDIS_URL) does not answer: "
              + e.getMessage());
    }
    try {
      store.query("SELECT 1");
    } catch (RuntimeException e) {
      String why = String.valueOf(e.getMessage());
      out.add(
          "the control database (--control-url / CONVOY_CONTROL_URL) does not answer: "
              + (why.contains("Timeout waiting for connection")
                  ? "no PostgreSQL startup answer within 10 s (is the URL's port a PostgreSQL"
                      + " server, or is a proxy stuck?)"
                  : why));
    }
    problems = List.copyOf(out);
    return problems;
  }

  /** The problems found by the last probe. */
  List<String> problems() {
    return problems;
  }

  /**
   * Returns once both answer; retries until {@code waitFor} has passed (zero: one try), then fails
   * with one line saying what does not answer and what to do.
   */
  void awaitAtStart(Duration waitFor) {
    ServiceWait.await(waitFor, this::probe);
  }
}
