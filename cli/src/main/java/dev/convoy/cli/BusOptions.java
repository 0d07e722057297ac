package dev.convoy.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** What the coordinator and the agents share: the migrations, the Redis bus and its namespace. */
final class BusOptions {
  @Option(names = "--dir", defaultValue = "migrations", description = "Migrations directory.")
  Path dir;

  @Option(
      names = "--redis",
      defaultValue = "redis://127.0.0.1:6379",
      description = "Redis URL (CONVOY_REDIS_URL).")
  String redis;

  @Option(names = "--namespace", defaultValue = "convoy", description = "Redis key namespace.")
  String namespace;
}
