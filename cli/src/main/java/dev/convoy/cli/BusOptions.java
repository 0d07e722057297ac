package dev.convoy.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** What the coordinator and the agents share: the migrations, the Redis bus and its namespace. */
final class BusOptions {
  @Option(
      names = "--dir",
      defaultValue = "migrations",
      description = "The directory holding the migration files (in its versions/ folder).")
  Path dir;

  @Option(
      names = "--redis",
      defaultValue = "redis://127.0.0.1:6379",
      description =
          "The Redis server that carries commands and events between the coordinator and the"
              + " agents (CONVOY_REDIS_URL).")
  String redis;

  @Option(
      names = "--namespace",
      defaultValue = "convoy",
      description =
          "The prefix of every Redis key Convoy uses, so that several installations can share"
              + " one Redis.")
  String namespace;

  @Option(
      names = "--wait-for-services",
      defaultValue = "0s",
      showDefaultValue = picocli.CommandLine.Help.Visibility.NEVER,
      paramLabel = "DURATION",
      description =
          "How long to wait at start for Redis and the database to answer (default 0s: exit at"
              + " once, with one line saying which does not answer).")
  String waitForServices;

  java.time.Duration waitForServices() {
    return dev.convoy.config.Durations.parse("--wait-for-services", waitForServices);
  }

  /**
   * {@code --redis}, checked: redis:// or rediss://, a host, a port in range, a numeric database.
   * The Redis client's own parser fails with an exception that names nothing the user typed.
   */
  String redisUrl() {
    String why = null;
    try {
      java.net.URI u = new java.net.URI(redis);
      String scheme = u.getScheme();
      if (scheme == null || !(scheme.equals("redis") || scheme.equals("rediss"))) {
        why = "it must start with redis:// (or rediss:// for TLS)";
      } else if (u.getHost() == null) {
        why = "it names no host";
      } else if (u.getPort() > 65535) {
        why = "the port " + u.getPort() + " is out of range";
      } else if (u.getPath() != null
          && !u.getPath().isEmpty()
          && !u.getPath().matches("/\\d{0,2}")) {
        why = "the path must be a database number (/0 to /15)";
      }
    } catch (java.net.URISyntaxException e) {
      why = "it is not a URL (" + e.getReason() + ")";
    }
    if (why != null) {
      throw new dev.convoy.error.ConvoyException(
          dev.convoy.error.ErrorCode.BAD_INPUT,
          "--redis (CONVOY_REDIS_URL) '"
              + redacted()
              + "' is not a Redis URL: "
              + why
              + "; e.g. redis://127.0.0.1:6379 or rediss://user:password@host:6380/0");
    }
    return redis;
  }

  /** The URL without its password, for messages. */
  private String redacted() {
    return dev.convoy.rollout.ServiceWait.redacted(redis);
  }
}
