package dev.convoy.testkit;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.PostgreSQLContainer;

/** Testcontainers, used only where a Docker engine answers. */
final class Containers {
  private static PostgreSQLContainer<?> postgres;

  private Containers() {}

  static synchronized String postgresIfDockerRuns() {
    try {
      if (!DockerClientFactory.instance().isDockerAvailable()) {
        return null;
      }
    } catch (RuntimeException | LinkageError e) {
      return null;
    }
    if (postgres == null) {
      postgres = new PostgreSQLContainer<>("postgres:15-alpine");
      postgres.start();
    }
    return "postgresql://"
        + postgres.getUsername()
        + ":"
        + postgres.getPassword()
        + "@"
        + postgres.getHost()
        + ":"
        + postgres.getMappedPort(5432)
        + "/"
        + postgres.getDatabaseName();
  }
}
