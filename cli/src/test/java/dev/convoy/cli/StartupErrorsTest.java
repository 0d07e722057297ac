package dev.convoy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.testkit.Poll;
import dev.convoy.testkit.TestDatabase;
import dev.convoy.testkit.TestPostgres;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Starting the long-running commands wrong, as a new operator does: a short signing key, a port out
 * of range or already taken. Each is one line naming the option or variable, the value and the fix,
 * exit code 2, no stack trace. And several agents on one host start with their defaults.
 */
class StartupErrorsTest {
  private static final String REDIS =
      System.getenv().getOrDefault("CONVOY_TEST_REDIS_URL", "redis://127.0.0.1:6379");

  @TempDir Path dir;
  @TempDir Path logs;

  private final String namespace = "s" + UUID.randomUUID().toString().substring(0, 8);

  private Process agent(TestDatabase db, String log, Map<String, String> env, String... extra)
      throws Exception {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "agent",
                "--env",
                "dev",
                "--url",
                db.url(),
                "--redis",
                REDIS,
                "--namespace",
                namespace,
                "--dir",
                dir.toString(),
                "--wait-for-services",
                "60s"));
    args.addAll(List.of(extra));
    return ChildConvoy.start(logs.resolve(log), env, args.toArray(String[]::new));
  }

  /** Waits for the child to exit; what it printed. */
  private String exited(Process p, String log, int code) throws Exception {
    assertTrue(p.waitFor(90, TimeUnit.SECONDS), "the command did not exit within 90 s");
    String said = Files.readString(logs.resolve(log));
    assertEquals(code, p.exitValue(), said);
    assertFalse(said.contains("\tat "), "no stack trace:\n" + said);
    return said;
  }

  @Test
  void a_short_signing_key_a_port_out_of_range_or_a_malformed_redis_url_is_one_line_naming_it()
      throws Exception {
    TestDatabase db = TestPostgres.createDatabase("startup_errors");
    try (db) {
      String said =
          exited(agent(db, "short.log", Map.of("CONVOY_SIGNING_KEY", "short")), "short.log", 2);
      assertTrue(said.contains("CONVOY_SIGNING_KEY is 5 characters long"), said);
      assertTrue(said.contains("openssl rand -hex 32"), said);
      said = exited(agent(db, "range.log", Map.of(), "--metrics-port", "70000"), "range.log", 2);
      assertTrue(said.contains("--metrics-port 70000 is not a port"), said);
      for (String bad : List.of("redis://:::bad", "http://127.0.0.1:6379", "redis://h:1/x")) {
        said =
            exited(
                ChildConvoy.start(
                    logs.resolve("redis.log"),
                    Map.of(),
                    "agent",
                    "--env",
                    "dev",
                    "--url",
                    db.url(),
                    "--redis",
                    bad,
                    "--dir",
                    dir.toString()),
                "redis.log",
                2);
        assertTrue(
            said.contains("--redis (CONVOY_REDIS_URL) '" + bad + "' is not a Redis URL"), said);
      }
    }
  }

  @Test
  void two_agents_on_one_host_start_with_their_defaults_and_a_taken_port_is_named()
      throws Exception {
    TestDatabase db = TestPostgres.createDatabase("startup_ports");
    try (db) {
      Process a = agent(db, "a.log", Map.of(), "--agent-id", "a");
      Process b = agent(db, "b.log", Map.of(), "--agent-id", "b");
      try {
        int pa = metricsPort(a, "a.log");
        int pb = metricsPort(b, "b.log");
        assertNotEquals(pa, pb);
        for (int port : new int[] {pa, pb}) {
          HttpResponse<String> r =
              HttpClient.newHttpClient()
                  .send(
                      HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                          .build(),
                      HttpResponse.BodyHandlers.ofString());
          assertEquals(200, r.statusCode());
        }
      } finally {
        a.destroy();
        b.destroy();
        a.waitFor(10, TimeUnit.SECONDS);
        b.waitFor(10, TimeUnit.SECONDS);
      }
      try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
        String port = Integer.toString(taken.getLocalPort());
        String said =
            exited(agent(db, "taken.log", Map.of(), "--metrics-port", port), "taken.log", 2);
        assertTrue(said.contains("--metrics-port " + port + ": 127.0.0.1:" + port), said);
        assertTrue(said.contains("--metrics-port 0 to pick a free one"), said);
        TestDatabase control = TestPostgres.createDatabase("startup_control");
        try (control) {
          Process c =
              ChildConvoy.start(
                  logs.resolve("coordinator.log"),
                  Map.of(),
                  "coordinator",
                  "--control-url",
                  control.url(),
                  "--environments",
                  "dev",
                  "--redis",
                  REDIS,
                  "--namespace",
                  namespace,
                  "--dir",
                  dir.toString(),
                  "--http-port",
                  port,
                  "--wait-for-services",
                  "60s");
          said = exited(c, "coordinator.log", 2);
          assertTrue(said.contains("--http-port " + port + ": 127.0.0.1:" + port), said);
        }
      }
    }
  }

  @Test
  void a_coordinator_or_agent_that_cannot_reach_its_services_says_which_and_exits()
      throws Exception {
    TestDatabase db = TestPostgres.createDatabase("startup_unreachable");
    try (db) {
      int closed;
      try (ServerSocket s = new ServerSocket(0)) {
        closed = s.getLocalPort(); // nothing listens there once closed
      }
      String said =
          exited(
              ChildConvoy.start(
                  logs.resolve("noredis.log"),
                  Map.of(),
                  "agent",
                  "--env",
                  "dev",
                  "--url",
                  db.url(),
                  "--redis",
                  "redis://127.0.0.1:" + closed,
                  "--dir",
                  dir.toString()),
              "noredis.log",
              1);
      assertTrue(said.contains("Redis at redis://127.0.0.1:" + closed), said);
      assertTrue(said.contains("--wait-for-services"), said);
      Process p =
          ChildConvoy.start(
              logs.resolve("nodb.log"),
              Map.of(),
              "agent",
              "--env",
              "dev",
              "--url",
              "postgresql://postgres@127.0.0.1:" + closed + "/postgres",
              "--redis",
              REDIS,
              "--namespace",
              namespace,
              "--dir",
              dir.toString());
      said = exited(p, "nodb.log", 1);
      assertTrue(said.contains("the database of dev (--url) does not answer"), said);
      TestDatabase control = TestPostgres.createDatabase("startup_unreachable_control");
      try (control) {
        Process c =
            ChildConvoy.start(
                logs.resolve("coordinator.log"),
                Map.of(),
                "coordinator",
                "--control-url",
                control.url(),
                "--environments",
                "dev",
                "--redis",
                "redis://127.0.0.1:" + closed,
                "--namespace",
                namespace,
                "--dir",
                dir.toString(),
                "--http-port",
                "0");
        said = exited(c, "coordinator.log", 1);
        assertTrue(said.contains("Redis at redis://127.0.0.1:" + closed), said);
      }
    }
  }

  @Test
  void health_says_down_while_the_coordinator_cannot_reach_redis_and_up_when_it_can_again()
      throws Exception {
    URI redis = URI.create(REDIS);
    new dev.convoy.testkit.MigrationFiles(dir)
        .sql("heal0001", null, "CREATE TABLE t (id int);", "DROP TABLE t;");
    try (dev.convoy.testkit.TcpProxy proxy =
            new dev.convoy.testkit.TcpProxy(redis.getHost(), redis.getPort());
        Topology t = new Topology(dir, "redis://127.0.0.1:" + proxy.port())) {
      t.coordinator = t.coordinator("c1");
      assertEquals(200, t.http("GET", "/health", null, false).statusCode());
      proxy.cut();
      io.vertx.core.json.JsonObject h = awaitHealth(t, "down");
      assertTrue(h.getJsonArray("problems").encode().contains("does not answer"), h.encode());
      proxy.restore();
      awaitHealth(t, "up");
    }
  }

  private static io.vertx.core.json.JsonObject awaitHealth(Topology t, String status) {
    HttpResponse<String> r =
        Poll.until(
            Duration.ofSeconds(60),
            "/health to say " + status,
            () -> t.http("GET", "/health", null, false),
            x -> status.equals(new io.vertx.core.json.JsonObject(x.body()).getString("status")));
    assertEquals(status.equals("up") ? 200 : 503, r.statusCode(), r.body());
    return new io.vertx.core.json.JsonObject(r.body());
  }

  /** The port an agent says its metrics are on ("metrics on http://127.0.0.1:N/metrics"). */
  private int metricsPort(Process p, String log) throws Exception {
    Pattern on = Pattern.compile("metrics on http://127\\.0\\.0\\.1:(\\d+)/metrics");
    return Poll.until(
        Duration.ofSeconds(120),
        "the agent to say where its metrics are",
        () -> {
          String said = Files.exists(logs.resolve(log)) ? read(logs.resolve(log)) : "";
          Matcher m = on.matcher(said);
          if (m.find()) {
            return Optional.of(Integer.parseInt(m.group(1)));
          }
          assertTrue(p.isAlive(), "the agent exited:\n" + said);
          return Optional.<Integer>empty();
        });
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
