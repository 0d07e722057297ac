package dev.convoy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.testkit.MigrationFiles;
import dev.convoy.testkit.TcpProxy;
import dev.convoy.testkit.TestDatabase;
import dev.convoy.testkit.TestPostgres;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An agent's {@code /health} tells an orchestrator the truth: up while it reaches its Redis and its
 * database, down (503, naming which) while it cannot, and up again once they are back, without a
 * restart.
 */
class AgentHealthTest {
  private static final URI REDIS =
      URI.create(System.getenv().getOrDefault("CONVOY_TEST_REDIS_URL", "redis://127.0.0.1:6379"));
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir Path dir;
  @TempDir Path logs;

  @Test
  void health_says_down_naming_redis_or_the_database_while_either_is_cut_and_up_when_back()
      throws Exception {
    TestDatabase db = TestPostgres.createDatabase("agent_health");
    try (db) {
      new MigrationFiles(dir).sql("ah0001", null, "CREATE TABLE t (id int);", "DROP TABLE t;");
      URI pg = URI.create(db.url());
      try (TcpProxy redis = new TcpProxy(REDIS.getHost(), REDIS.getPort());
          TcpProxy postgres = new TcpProxy(pg.getHost(), pg.getPort())) {
        String url = db.url().replace(":" + pg.getPort() + "/", ":" + postgres.port() + "/");
        Process agent =
            ChildConvoy.start(
                logs.resolve("agent.log"),
                Map.of(),
                "agent",
                "--env",
                "dev",
                "--url",
                url,
                "--redis",
                "redis://127.0.0.1:" + redis.port(),
                "--namespace",
                "h" + UUID.randomUUID().toString().substring(0, 8),
                "--dir",
                dir.toString(),
                "--wait-for-services",
                "60s");
        try {
          int port = metricsPort(agent);
          awaitHealth(port, "up");

          redis.cut();
          JsonObject down = awaitHealth(port, "down");
          assertTrue(down.getJsonArray("problems").encode().contains("Redis at"), down.encode());
          redis.restore();
          awaitHealth(port, "up");

          postgres.cut();
          down = awaitHealth(port, "down");
          assertTrue(
              down.getJsonArray("problems").encode().contains("the database of dev (--url)"),
              down.encode());
          postgres.restore();
          JsonObject up = awaitHealth(port, "up");
          assertEquals("dev", up.getString("env"));
        } finally {
          agent.destroy();
          agent.waitFor(10, TimeUnit.SECONDS);
        }
      }
    }
  }

  /** Polls the agent's /health until it says {@code status}; its answer. */
  private static JsonObject awaitHealth(int port, String status) throws Exception {
    long until = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    String last = null;
    while (System.nanoTime() < until) {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                  .timeout(Duration.ofSeconds(30))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      last = r.statusCode() + " " + r.body();
      JsonObject h = new JsonObject(r.body());
      if (status.equals(h.getString("status"))) {
        assertEquals(status.equals("up") ? 200 : 503, r.statusCode(), r.body());
        return h;
      }
      Topology.sleep(100);
    }
    throw new AssertionError("the agent's /health did not say " + status + " within 90 s: " + last);
  }

  private int metricsPort(Process p) throws Exception {
    Pattern on = Pattern.compile("metrics on http://127\\.0\\.0\\.1:(\\d+)/metrics");
    long until = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (System.nanoTime() < until) {
      Path log = logs.resolve("agent.log");
      String said = Files.exists(log) ? Files.readString(log) : "";
      Matcher m = on.matcher(said);
      if (m.find()) {
        return Integer.parseInt(m.group(1));
      }
      assertTrue(p.isAlive(), "the agent exited:\n" + said);
      Topology.sleep(100);
    }
    throw new AssertionError("the agent did not say where its metrics are within 90 s");
  }
}
