package dev.convoy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.agent.daemon.AgentDaemon;
import dev.convoy.agent.db.DatabaseUrl;
import dev.convoy.agent.engine.EngineTuning;
import dev.convoy.coordinator.Coordinator;
import dev.convoy.testkit.MigrationFiles;
import dev.convoy.testkit.Poll;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.io.InputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Network exposure: the coordinator's API and an agent's metrics listen on their --bind address
 * (loopback by default); reading rollouts, environments and events needs the API token or the
 * read-only token unless --public-read; the read-only token cannot change anything; /health and
 * /metrics stay open; the CLI's reads send the read token.
 */
class ApiAccessTest {
  static final String READ = "read-token-" + UUID.randomUUID();

  @TempDir Path dir;
  @TempDir Path logs;

  private void migrations() {
    new MigrationFiles(dir)
        .yaml(
            "acc00001",
            null,
            "  - op: create_table\n    table: item\n    columns:\n"
                + "      - {name: id, type: bigint, primary_key: true}\n");
  }

  /** One request; a deadline, generous because a child JVM starts slowly on a loaded machine. */
  private static HttpResponse<String> call(
      String base, String method, String path, String token, String body) {
    try {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create(base + path))
              .timeout(Duration.ofSeconds(30))
              .method(
                  method,
                  body == null
                      ? HttpRequest.BodyPublishers.noBody()
                      : HttpRequest.BodyPublishers.ofString(body));
      if (token != null) {
        b.header("Authorization", "Bearer " + token);
      }
      if (body != null) {
        b.header("content-type", "application/json");
      }
      return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError(method + " " + base + path + " got no answer: " + e, e);
    }
  }

  private static int status(String base, String method, String path, String token) {
    return call(base, method, path, token, null).statusCode();
  }

  /** The status of the event stream, read from its headers, then the stream is closed. */
  private static int eventsStatus(String base, String query, String token) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + "/api/events" + query))
            .timeout(Duration.ofSeconds(30));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    HttpResponse<InputStream> r =
        HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
    r.body().close();
    return r.statusCode();
  }

  /** A non-loopback IPv4 address of this host, or null when it has only loopback. */
  static String otherAddress() throws Exception {
    for (NetworkInterface n : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!n.isUp() || n.isLoopback()) {
        continue;
      }
      for (InetAddress a : Collections.list(n.getInetAddresses())) {
        if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
          return a.getHostAddress();
        }
      }
    }
    return null;
  }

  static boolean reachable(String host, int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), 2000);
      return true;
    } catch (java.io.IOException e) {
      return false;
    }
  }

  @Test
  void reads_need_a_token_the_read_token_only_reads_and_health_and_metrics_stay_open()
      throws Exception {
    migrations();
    try (Topology t = new Topology(dir)) {
      t.coordinator = t.coordinator("c1", Coordinator.Config.LOOPBACK, READ, false);
      String api = t.api();
      for (String path : List.of("/api/rollouts", "/api/environments", "/api/rollouts/abc")) {
        HttpResponse<String> anonymous = call(api, "GET", path, null, null);
        assertEquals(401, anonymous.statusCode(), path + " " + anonymous.body());
        assertEquals("Authorization", new JsonObject(anonymous.body()).getString("field"));
        assertEquals(401, status(api, "GET", path, "not-the-token"), path);
        assertEquals(401, status(api, "GET", path + "?access_token=" + READ, null), path);
      }
      assertEquals(200, status(api, "GET", "/api/rollouts", READ));
      assertEquals(200, status(api, "GET", "/api/environments", READ));
      assertEquals(404, status(api, "GET", "/api/rollouts/abc", READ), "read, and not found");
      assertEquals(200, status(api, "GET", "/api/rollouts", Topology.TOKEN), "the API token reads");
      assertEquals(401, eventsStatus(api, "", null));
      assertEquals(401, eventsStatus(api, "?access_token=wrong", null));
      assertEquals(200, eventsStatus(api, "?access_token=" + READ, null), "EventSource's way");
      assertEquals(200, eventsStatus(api, "", READ));

      HttpResponse<String> start = call(api, "POST", "/api/rollouts", READ, "{}");
      assertEquals(403, start.statusCode(), start.body());
      assertTrue(start.body().contains("read-only token"), start.body());
      assertEquals(403, status(api, "POST", "/api/rollouts/abc/pause", READ));
      assertEquals(401, status(api, "POST", "/api/rollouts/abc/pause", null));
      assertEquals(
          "0",
          t.control.scalar("SELECT count(*)::text FROM convoy_control.rollouts"),
          "the read token started nothing");

      assertEquals(200, status(api, "GET", "/health", null));
      HttpResponse<String> metrics = call(api, "GET", "/metrics", null, null);
      assertEquals(200, metrics.statusCode());
      assertTrue(metrics.body().contains("convoy_"), metrics.body());
      HttpResponse<String> page = call(api, "GET", "/", null, null);
      assertEquals(200, page.statusCode());
      HttpResponse<String> script = call(api, "GET", "/console/console.js", null, null);
      assertEquals(200, script.statusCode(), "the console's script is open too");
      assertTrue(script.body().contains("sessionStorage"), "the console asks for a token");
    }
  }

  @Test
  void public_read_lets_reads_through_and_changes_still_need_the_api_token() throws Exception {
    migrations();
    try (Topology t = new Topology(dir)) {
      t.coordinator = t.coordinator("c1", Coordinator.Config.LOOPBACK, null, true);
      String api = t.api();
      assertEquals(200, status(api, "GET", "/api/rollouts", null));
      assertEquals(200, status(api, "GET", "/api/environments", null));
      assertEquals(200, eventsStatus(api, "", null));
      assertEquals(401, call(api, "POST", "/api/rollouts", null, "{}").statusCode());
      assertEquals(401, status(api, "POST", "/api/rollouts/abc/pause", "not-the-token"));
    }
  }

  @Test
  void the_coordinator_and_an_agents_metrics_listen_only_on_their_bind_address() throws Exception {
    String other = otherAddress();
    Assumptions.assumeTrue(other != null, "this host has only loopback addresses");
    migrations();
    try (Topology t = new Topology(dir)) {
      t.coordinator = t.coordinator("c1", "127.0.0.1", null, false);
      int port = t.coordinator.httpPort();
      assertTrue(reachable("127.0.0.1", port));
      assertFalse(reachable(other, port), "bound to 127.0.0.1, not reachable on " + other);
      Coordinator there = t.coordinator("c2", other, null, false);
      try {
        assertTrue(reachable(other, there.httpPort()));
        assertFalse(reachable("127.0.0.1", there.httpPort()), "bound to " + other + " only");
        assertEquals(
            200, status("http://" + other + ":" + there.httpPort(), "GET", "/health", null));
      } finally {
        there.close();
      }

      AgentDaemon loopback = t.agent("dev", "agent-dev");
      t.agents.add(loopback);
      assertEquals(
          200, status("http://127.0.0.1:" + loopback.metricsPort(), "GET", "/metrics", null));
      assertFalse(reachable(other, loopback.metricsPort()), "agent metrics on loopback only");
      AgentDaemon onOther =
          new AgentDaemon(
                  t.vertx,
                  new AgentDaemon.Config(
                      "staging",
                      new DatabaseUrl(t.dbs.get("staging").url()),
                      t.redisUrl,
                      t.namespace,
                      dir,
                      Topology.KEY,
                      "agent-staging",
                      0,
                      "convoy",
                      Duration.ofMillis(500),
                      Duration.ofSeconds(3),
                      EngineTuning.DEFAULTS,
                      null,
                      other))
              .start();
      t.agents.add(onOther);
      assertEquals(
          200, status("http://" + other + ":" + onOther.metricsPort(), "GET", "/metrics", null));
      assertFalse(reachable("127.0.0.1", onOther.metricsPort()), "agent metrics on " + other);
    }
  }

  @Test
  void the_commands_listen_on_loopback_by_default_and_the_cli_reads_with_the_read_token()
      throws Exception {
    ConvoyShell.exec("coordinator", "--help")
        .exits(0)
        .outContains("--bind", "--public-read", "--read-token-file");
    for (String command : List.of("coordinator", "agent")) {
      String help = ConvoyShell.exec(command, "--help").exits(0).out();
      // The help wraps where the columns fall; the words say the default.
      assertTrue(
          help.replaceAll("\\s+", " ").contains("default 127.0.0.1 is this host only"), help);
    }
    migrations();
    try (Topology t = new Topology(dir)) {
      // Port 0: the coordinator picks a free one and says which (a port picked here could be
      // taken by a parallel test before the child binds it).
      Process p =
          convoy(
              Map.of("CONVOY_READ_TOKEN", READ),
              "coordinator",
              "--id",
              "cli-coordinator",
              "--control-url",
              t.control.url(),
              "--environments",
              String.join(",", Topology.ENVS),
              "--redis",
              t.redisUrl,
              "--namespace",
              t.namespace,
              "--http-port",
              "0",
              "--dir",
              dir.toString(),
              "--wait-for-services",
              "60s");
      try {
        int port = announcedPort(p);
        String api = "http://127.0.0.1:" + port;
        awaitHealth(p, api);
        assertEquals(401, status(api, "GET", "/api/rollouts", null));
        assertEquals(200, status(api, "GET", "/api/rollouts", READ));
        assertEquals(403, call(api, "POST", "/api/rollouts", READ, "{}").statusCode());

        Process status =
            convoy(Map.of("CONVOY_READ_TOKEN", READ), "rollout", "status", "--api", api);
        assertTrue(status.waitFor(60, TimeUnit.SECONDS));
        String said = Files.readString(log("rollout"));
        assertEquals(0, status.exitValue(), said);
        assertTrue(said.contains("No rollouts yet"), said);
        Process anonymous = convoy(Map.of(), "rollout", "status", "--api", api);
        assertTrue(anonymous.waitFor(60, TimeUnit.SECONDS));
        String refused = Files.readString(log("rollout"));
        assertEquals(2, anonymous.exitValue(), refused);
        assertTrue(refused.contains("coordinator answered 401"), refused);

        String other = otherAddress();
        Assumptions.assumeTrue(other != null, "this host has only loopback addresses");
        assertFalse(reachable(other, port), "no --bind: 127.0.0.1 only, not " + other);
      } finally {
        p.destroy();
        p.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  /** The port the child coordinator says it listens on ("convoy coordinator ID on http://..."). */
  private int announcedPort(Process p) throws Exception {
    java.util.regex.Pattern on =
        java.util.regex.Pattern.compile("convoy coordinator \\S+ on http://127\\.0\\.0\\.1:(\\d+)");
    return Poll.until(
        Duration.ofSeconds(120),
        "the coordinator to say where it listens",
        () -> {
          assertTrue(p.isAlive(), "the coordinator exited:\n" + Topology.tail(log("coordinator")));
          java.util.regex.Matcher m = on.matcher(read(log("coordinator")));
          return m.find()
              ? java.util.Optional.of(Integer.parseInt(m.group(1)))
              : java.util.Optional.<Integer>empty();
        });
  }

  /** The whole of {@code file}; empty while it does not exist. */
  private static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file) : "";
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Polls /health until the child coordinator answers, with a deadline. */
  private void awaitHealth(Process p, String api) throws Exception {
    Poll.until(
        Duration.ofSeconds(120),
        "the coordinator to answer /health with 200",
        () -> {
          assertTrue(p.isAlive(), "the coordinator exited:\n" + Topology.tail(log("coordinator")));
          try {
            return HttpClient.newHttpClient()
                .send(
                    HttpRequest.newBuilder(URI.create(api + "/health"))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .statusCode();
          } catch (java.io.IOException | InterruptedException e) {
            return -1; // not listening yet, or too slow this time: poll again
          }
        },
        status -> status == 200);
  }

  private Path log(String command) {
    return logs.resolve(command + ".log");
  }

  /** {@code convoy <args>} as a child JVM with the test's tokens and {@code env}. */
  private Process convoy(Map<String, String> env, String... args) throws Exception {
    List<String> cmd =
        new java.util.ArrayList<>(
            List.of(
                System.getProperty("java.home") + File.separator + "bin" + File.separator + "java",
                "-cp",
                System.getProperty("java.class.path"),
                "dev.convoy.cli.Main"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log(args[0]).toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("CONVOY_"));
    pb.environment().put("CONVOY_API_TOKEN", Topology.TOKEN);
    pb.environment().put("CONVOY_SIGNING_KEY", Topology.KEY);
    if (args[0].equals("rollout")) {
      pb.environment().remove("CONVOY_API_TOKEN");
    }
    pb.environment().putAll(env);
    return pb.start();
  }
}
