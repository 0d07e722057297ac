package dev.convoy.cli;

import dev.convoy.testkit.Poll;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code convoy} as a child JVM, for tests that kill, pause or cut one process of a topology: a
 * coordinator or an agent of a {@link Topology}, with the test's tokens and its output in a log
 * file; and the HTTP calls tests make to such a child.
 */
final class ChildConvoy {
  private ChildConvoy() {}

  /** {@code convoy <args>} with the test's API token and signing key, plus {@code env}. */
  static Process start(Path log, Map<String, String> env, String... args) throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                System.getProperty("java.home") + File.separator + "bin" + File.separator + "java",
                "-cp",
                System.getProperty("java.class.path"),
                "dev.convoy.cli.Main"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("CONVOY_API_TOKEN", Topology.TOKEN);
    pb.environment().put("CONVOY_SIGNING_KEY", Topology.KEY);
    pb.environment().putAll(env);
    return pb.start();
  }

  /** A coordinator of {@code t} on {@code port}, reaching Redis at {@code redisUrl}. */
  static Process coordinator(
      Topology t, Path logs, String id, int port, String redisUrl, String leaseTtl)
      throws Exception {
    return coordinator(t, logs, id, port, redisUrl, leaseTtl, Map.of());
  }

  /** As above, with more environment variables ({@code CONVOY_LOG_FORMAT}...). */
  static Process coordinator(
      Topology t,
      Path logs,
      String id,
      int port,
      String redisUrl,
      String leaseTtl,
      Map<String, String> env)
      throws Exception {
    return start(
        logs.resolve(id + ".log"),
        env,
        "coordinator",
        "--id",
        id,
        "--control-url",
        t.control.url(),
        "--environments",
        String.join(",", t.envs),
        "--redis",
        redisUrl,
        "--namespace",
        t.namespace,
        "--http-port",
        Integer.toString(port),
        "--dir",
        t.dir.toString(),
        "--lease-ttl",
        leaseTtl,
        "--wait-for-services",
        "60s");
  }

  /** A child coordinator and the port it listens on. */
  record Child(Process process, int port) {}

  /**
   * A coordinator of {@code t} on a port it picks itself (so it never races another test for a port
   * found free a moment before), once it says where it listens; fails with its log if it exits or
   * stays silent for two minutes.
   */
  static Child coordinator(Topology t, Path logs, String id, String redisUrl, String leaseTtl)
      throws Exception {
    return coordinator(t, logs, id, redisUrl, leaseTtl, Map.of());
  }

  /** As above, with more environment variables. */
  static Child coordinator(
      Topology t, Path logs, String id, String redisUrl, String leaseTtl, Map<String, String> env)
      throws Exception {
    Process p = coordinator(t, logs, id, 0, redisUrl, leaseTtl, env);
    Path log = logs.resolve(id + ".log");
    java.util.regex.Pattern on =
        java.util.regex.Pattern.compile("convoy coordinator \\S+ on http://127\\.0\\.0\\.1:(\\d+)");
    int port =
        Poll.until(
            Duration.ofSeconds(120),
            "coordinator " + id + " to say where it listens",
            () -> {
              if (!p.isAlive()) {
                throw new AssertionError("coordinator " + id + " exited:\n" + Topology.tail(log));
              }
              java.util.regex.Matcher m = on.matcher(read(log));
              return m.find()
                  ? java.util.Optional.of(Integer.parseInt(m.group(1)))
                  : java.util.Optional.<Integer>empty();
            });
    return new Child(p, port);
  }

  private static String read(Path file) {
    try {
      return java.nio.file.Files.exists(file) ? java.nio.file.Files.readString(file) : "";
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** An agent of {@code t}'s environment {@code env}. */
  static Process agent(Topology t, Path log, String env, String agentId) throws Exception {
    return agent(t, log, env, agentId, Map.of());
  }

  /** As above, with more environment variables ({@code CONVOY_LOG_FORMAT}...). */
  static Process agent(Topology t, Path log, String env, String agentId, Map<String, String> vars)
      throws Exception {
    return start(
        log,
        vars,
        "agent",
        "--env",
        env,
        "--url",
        t.dbs.get(env).url(),
        "--redis",
        t.redisUrl,
        "--namespace",
        t.namespace,
        "--dir",
        t.dir.toString(),
        "--metrics-port",
        "0",
        "--agent-id",
        agentId,
        "--wait-for-services",
        "60s");
  }

  /** GET with the API token; null when the child does not answer (yet). */
  static JsonObject get(int port, String path) {
    try {
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                      .header("Authorization", "Bearer " + Topology.TOKEN)
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      return new JsonObject(r.body());
    } catch (Exception e) {
      return null;
    }
  }

  static int freePort() throws Exception {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /**
   * Waits until the child coordinator on {@code port} hears a live agent of every environment (a
   * rollout is planned from those heartbeats); fails past two minutes.
   */
  static void awaitAgentsHeard(int port, int environments) {
    Poll.until(
        Duration.ofSeconds(120),
        "the coordinator on port " + port + " to hear a live agent of every environment",
        () -> get(port, "/api/environments"),
        view ->
            view != null
                && view.getJsonArray("environments") != null
                && view.getJsonArray("environments").size() == environments
                && view.getJsonArray("environments").stream()
                    .allMatch(
                        e ->
                            ((JsonObject) e)
                                .getJsonArray("agents").stream()
                                    .anyMatch(a -> ((JsonObject) a).getBoolean("alive", false))));
  }

  /**
   * Polls the child coordinator's {@code /health} until its {@code leader} is {@code leading};
   * returns that answer. Fails past two minutes with the child's log: a child JVM starts slowly on
   * a loaded machine.
   */
  static JsonObject awaitLeader(int port, boolean leading, Path log) {
    try {
      return Poll.until(
          Duration.ofSeconds(120),
          "the coordinator on port " + port + (leading ? " to lead" : " to stand by"),
          () -> get(port, "/health"),
          h -> h != null && h.getBoolean("leader", false) == leading);
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; its log:\n" + Topology.tail(log), e);
    }
  }

  /** Polls the child coordinator's rollout {@code id} until it ends; returns it. */
  static JsonObject awaitEnd(int port, String id) {
    return Poll.until(
        Duration.ofSeconds(120),
        "rollout " + id + " to end (coordinator on port " + port + ")",
        () -> get(port, "/api/rollouts/" + id),
        r -> r != null && RolloutView.ended(r.getString("state")));
  }

  /** POSTs {@code path} (with the token) to the child coordinator on {@code port}; the status. */
  static int post(int port, String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + Topology.TOKEN)
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .statusCode();
  }

  /** Starts a rollout through the child coordinator on {@code port}; its id (fails unless 201). */
  static String startRollout(int port, JsonObject body) throws Exception {
    HttpResponse<String> started =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/rollouts"))
                    .header("Authorization", "Bearer " + Topology.TOKEN)
                    .header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body.encode()))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    org.junit.jupiter.api.Assertions.assertEquals(201, started.statusCode(), started.body());
    return new JsonObject(started.body()).getString("id");
  }
}
