package dev.convoy.cli;

import dev.convoy.agent.daemon.AgentDaemon;
import dev.convoy.agent.db.DatabaseUrl;
import dev.convoy.agent.engine.EngineTuning;
import dev.convoy.coordinator.Coordinator;
import dev.convoy.testkit.Poll;
import dev.convoy.testkit.TestDatabase;
import dev.convoy.testkit.TestPostgres;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A whole distributed Convoy for a test: a database per environment and a control database on the
 * test PostgreSQL, a Redis namespace of its own on the test Redis (CONVOY_TEST_REDIS_URL, default
 * redis://127.0.0.1:6379), one coordinator and one agent per environment in this JVM.
 */
final class Topology implements AutoCloseable {
  static final List<String> ENVS = List.of("dev", "staging", "prod");
  static final String TOKEN = "test-token-" + UUID.randomUUID();
  static final String KEY = "test-signing-key-" + UUID.randomUUID();

  final Vertx vertx = Vertx.vertx();
  final String namespace = "t" + UUID.randomUUID().toString().substring(0, 8);
  final String redisUrl;
  final Map<String, TestDatabase> dbs = new LinkedHashMap<>();
  final TestDatabase control;
  final Path dir;
  final List<String> envs;
  final List<AgentDaemon> agents = new ArrayList<>();
  Coordinator coordinator;

  /** The engine tuning of the agents this topology starts (a test may cap backfill speed). */
  EngineTuning tuning = EngineTuning.DEFAULTS;

  /** The clock of the coordinators this topology starts; a test may move it (see OffsetClock). */
  java.time.Clock clock = java.time.Clock.systemUTC();

  /** The default quiet time of a versions-drained gate (null: the coordinator's, 30 s). */
  Duration drainQuiet;

  Topology(Path dir) {
    this(dir, System.getenv().getOrDefault("CONVOY_TEST_REDIS_URL", "redis://127.0.0.1:6379"));
  }

  Topology(Path dir, String redisUrl) {
    this(dir, redisUrl, ENVS);
  }

  /** With other environments than dev, staging and prod, in stage order. */
  Topology(Path dir, List<String> envs) {
    this(
        dir, System.getenv().getOrDefault("CONVOY_TEST_REDIS_URL", "redis://127.0.0.1:6379"), envs);
  }

  private Topology(Path dir, String redisUrl, List<String> envs) {
    this.dir = dir;
    this.redisUrl = redisUrl;
    this.envs = List.copyOf(envs);
    for (String env : envs) {
      dbs.put(env, TestPostgres.createDatabase("rollout_" + env));
    }
    control = TestPostgres.createDatabase("rollout_control");
  }

  Topology start() {
    coordinator = coordinator("c1");
    for (String env : envs) {
      agents.add(agent(env, "agent-" + env));
    }
    awaitAgents();
    return this;
  }

  Coordinator coordinator(String id) {
    return coordinator(id, Coordinator.Config.LOOPBACK, null, false);
  }

  /** A coordinator listening on {@code bind}, with a read-only token and/or public reads. */
  Coordinator coordinator(String id, String bind, String readToken, boolean publicRead) {
    return new Coordinator(
            vertx,
            new Coordinator.Config(
                id,
                control.url(),
                envs,
                redisUrl,
                namespace,
                0,
                dir,
                TOKEN,
                KEY,
                Duration.ofSeconds(2),
                Duration.ofMillis(50),
                Coordinator.Config.EVENT_WINDOW,
                bind,
                readToken,
                publicRead,
                drainQuiet),
            clock)
        // A loaded machine can be slow to answer a first PING: wait for the services.
        .start(Duration.ofSeconds(60));
  }

  AgentDaemon agent(String env, String id) {
    return new AgentDaemon(
            vertx,
            new AgentDaemon.Config(
                env,
                new DatabaseUrl(dbs.get(env).url()),
                redisUrl,
                namespace,
                dir,
                KEY,
                id,
                0,
                "convoy",
                Duration.ofMillis(500),
                Duration.ofSeconds(3),
                tuning))
        // A loaded machine can be slow to answer a first PING: wait for the services.
        .start(Duration.ofSeconds(60));
  }

  /** Waits until the coordinator leads and hears a live agent of every environment. */
  void awaitAgents() {
    // Generous: an agent in its own JVM starts slowly on a loaded two-core machine.
    Poll.until(
        Duration.ofSeconds(120),
        "the coordinator to lead and hear a live agent of every environment",
        () -> new JsonObject().put("leader", coordinator.leader()).put("environments", view()),
        v ->
            v.getBoolean("leader")
                && v.getJsonArray("environments").stream()
                    .allMatch(
                        o ->
                            ((JsonObject) o)
                                .getJsonArray("agents").stream()
                                    .anyMatch(a -> ((JsonObject) a).getBoolean("alive"))));
  }

  /** Waits until every environment's agent reports {@code revision} as its only head. */
  void awaitHeads(String revision) {
    Poll.until(
        Duration.ofSeconds(60),
        "every environment's agent to report " + revision + " as its head",
        this::view,
        view ->
            view.stream()
                .allMatch(
                    o ->
                        ((JsonObject) o)
                            .getJsonArray("agents").stream()
                                .map(a -> ((JsonObject) a).getJsonArray("heads"))
                                .anyMatch(h -> h.size() == 1 && revision.equals(h.getString(0)))));
  }

  private JsonArray view() {
    return coordinator.environmentsView();
  }

  /**
   * How many rounds of decisions the leader's driver has finished ({@code
   * convoy_driver_ticks_total}). A test that checks that something does not happen waits until the
   * driver has decided again after the cause, instead of sleeping.
   */
  long driverTicks() {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("(?m)^convoy_driver_ticks_total ([0-9.E]+)$")
            .matcher(http("GET", "/metrics", null, false).body());
    return m.find() ? (long) Double.parseDouble(m.group(1)) : 0;
  }

  /**
   * Waits until the driver has started and finished a whole round of decisions after this call:
   * whatever it was going to do about the state as it is now, it has done.
   */
  void awaitDriverRound() {
    long seen = driverTicks();
    // The round running now may have read the state before the caller changed it: wait for two.
    Poll.until(
        Duration.ofSeconds(60),
        "two more rounds of the driver's decisions (from " + seen + ")",
        this::driverTicks,
        n -> n >= seen + 2);
  }

  String api() {
    return "http://127.0.0.1:" + coordinator.httpPort();
  }

  /** Sends a request to the coordinator's API; returns status and body. */
  HttpResponse<String> http(String method, String path, String body, boolean withToken) {
    try {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create(api() + path))
              .method(
                  method,
                  body == null
                      ? HttpRequest.BodyPublishers.noBody()
                      : HttpRequest.BodyPublishers.ofString(body));
      if (withToken) {
        b.header("Authorization", "Bearer " + TOKEN);
      }
      if (body != null) {
        b.header("content-type", "application/json");
      }
      return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  String startRollout(JsonObject request) {
    HttpResponse<String> r = http("POST", "/api/rollouts", request.encode(), true);
    if (r.statusCode() != 201) {
      throw new AssertionError("POST /api/rollouts answered " + r.statusCode() + ": " + r.body());
    }
    return new JsonObject(r.body()).getString("id");
  }

  JsonObject rollout(String id) {
    return new JsonObject(http("GET", "/api/rollouts/" + id, null, true).body());
  }

  /** Polls the rollout until it ends; fails with its last state past {@code within}. */
  JsonObject awaitEnd(String id, Duration within) {
    return Poll.until(
        within, "rollout " + id + " to end", () -> rollout(id), r -> RolloutView.ended(state(r)));
  }

  /** Polls the rollout until {@code done} holds; fails with its last state after 60 s. */
  JsonObject awaitRollout(String id, String what, java.util.function.Predicate<JsonObject> done) {
    return Poll.until(
        Duration.ofSeconds(60), "rollout " + id + " " + what, () -> rollout(id), done);
  }

  /** Polls until the environment's heads are {@code heads} (comma-separated). */
  void awaitHeadsIn(String env, String heads) {
    Poll.until(
        Duration.ofSeconds(60),
        env + "'s database to be at " + heads,
        () -> heads(env),
        heads::equals);
  }

  static String state(JsonObject rollout) {
    return rollout.getString("state");
  }

  /** The environment's heads, comma-separated; null before Convoy's state exists. */
  String heads(String env) {
    if (dbs.get(env).scalar("SELECT to_regclass('convoy.version')::text") == null) {
      return null;
    }
    return dbs.get(env).scalar("SELECT string_agg(revision, ',') FROM convoy.version");
  }

  static JsonArray states(JsonObject rollout) {
    JsonArray out = new JsonArray();
    rollout.getJsonArray("stages").forEach(s -> out.add(((JsonObject) s).getString("state")));
    return out;
  }

  /** The last lines of a process's log, for a failure message. */
  static String tail(Path log) {
    try {
      List<String> lines = java.nio.file.Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (java.io.IOException | RuntimeException e) {
      return "(no log: " + e + ")";
    }
  }

  /**
   * Only as the pacing of a loop that polls for a condition until a deadline; prefer {@link
   * Poll#until}. Never to wait for something to happen.
   */
  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Override
  public void close() {
    agents.forEach(AgentDaemon::close);
    if (coordinator != null) {
      coordinator.close();
    }
    Redis r = Redis.createClient(vertx, redisUrl);
    try {
      Request del =
          Request.cmd(Command.DEL)
              .arg("convoy:" + namespace + ":leader")
              .arg("convoy:" + namespace + ":events");
      envs.forEach(env -> del.arg("convoy:" + namespace + ":cmd:" + env));
      r.send(del).await();
    } catch (RuntimeException e) {
      // Nothing to clean.
    } finally {
      r.close();
    }
    dbs.values().forEach(TestDatabase::close);
    control.close();
    vertx.close().await();
  }
}
