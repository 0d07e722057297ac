package dev.convoy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.agent.engine.BackfillSettings;
import dev.convoy.agent.engine.EngineConfig;
import dev.convoy.agent.engine.EngineTuning;
import dev.convoy.coordinator.Coordinator;
import dev.convoy.testkit.MigrationFiles;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator console as the coordinator serves it: its files from the jar, the streams that keep
 * it live, the backfill numbers it shows (kept once a rollout is over), and the token its actions
 * need. The page itself is driven by the browser tests (e2e/); these check what it stands on.
 */
class ConsoleTest {
  static final String READ = "read-token-" + UUID.randomUUID();
  static final int ROWS = 40_000;

  @TempDir Path dir;

  /** A server-sent event: its name and its JSON. */
  record Sse(String event, JsonObject data) {}

  private void migrations() {
    MigrationFiles files = new MigrationFiles(dir);
    files.yaml(
        "cons0001",
        null,
        "  - op: create_table\n    table: item\n    columns:\n"
            + "      - {name: id, type: bigint, primary_key: true}\n"
            + "      - {name: qty, type: int, nullable: false}\n");
    files.yaml(
        "cons0002",
        "cons0001",
        "  - op: add_column\n    table: item\n    column: {name: label, type: text, nullable:"
            + " false}\n    backfill: \"'item ' || id\"\n");
  }

  /**
   * The demo's recipe: a backfill, then a NOT NULL whose own backfill finds no row left. Its report
   * of 0 rows came last and used to wipe out the first one's numbers.
   */
  private void twoBackfills() {
    MigrationFiles files = new MigrationFiles(dir);
    files.yaml(
        "fill0001",
        null,
        "  - op: create_table\n    table: item\n    columns:\n"
            + "      - {name: id, type: bigint, primary_key: true}\n"
            + "      - {name: email, type: text}\n");
    files.yaml(
        "fill0002",
        "fill0001",
        "  - op: backfill\n    table: item\n    set: {email: \"id || '@example.com'\"}\n"
            + "    where: email IS NULL\n");
    files.yaml(
        "fill0003",
        "fill0002",
        "  - op: set_not_null\n    table: item\n    column: email\n"
            + "    backfill: \"id || '@example.com'\"\n");
  }

  @Test
  void the_console_is_served_from_the_jar_with_its_content_types_and_loads_nothing_from_elsewhere()
      throws Exception {
    migrations();
    try (Topology t = new Topology(dir)) {
      t.coordinator = t.coordinator("c1", Coordinator.Config.LOOPBACK, READ, false);
      Map<String, String> files =
          Map.of(
              "/", "text/html",
              "/console/console.js", "text/javascript",
              "/console/console.css", "text/css");
      for (var f : files.entrySet()) {
        HttpResponse<String> r = t.http("GET", f.getKey(), null, false);
        assertEquals(200, r.statusCode(), f.getKey());
        String type = r.headers().firstValue("content-type").orElse("");
        assertTrue(type.startsWith(f.getValue()), f.getKey() + " is served as " + type);
        assertFalse(
            Pattern.compile("(?i)https?://|src=\"//|href=\"//|url\\(").matcher(r.body()).find(),
            f.getKey() + " names nothing outside the coordinator");
        assertTrue(
            r.headers().firstValue("content-security-policy").orElse("").contains("default-src"),
            "a content security policy keeps the page to its own files");
      }
      String html = t.http("GET", "/", null, false).body();
      Matcher refs = Pattern.compile("(?:src|href)=\"([^\"]*)\"").matcher(html);
      while (refs.find()) {
        assertTrue(
            refs.group(1).startsWith("/console/") || refs.group(1).startsWith("#"),
            "the page loads only the coordinator's files: " + refs.group(1));
      }
      assertEquals(404, t.http("GET", "/console/secret.txt", null, false).statusCode());
      assertEquals(404, t.http("GET", "/console/..%2Fpom.xml", null, false).statusCode());
    }
  }

  @Test
  void actions_and_streams_need_the_token_and_the_read_token_cannot_act() throws Exception {
    migrations();
    try (Topology t = new Topology(dir)) {
      t.coordinator = t.coordinator("c1", Coordinator.Config.LOOPBACK, READ, false);
      for (String action : List.of("approve", "pause", "resume", "rollback", "deployed")) {
        String path = "/api/rollouts/abc/" + action;
        assertEquals(401, status(t, "POST", path, null), path + " without a token");
        assertEquals(403, status(t, "POST", path, READ), path + " with the read-only token");
      }
      assertEquals(401, status(t, "POST", "/api/rollouts", null), "a start without a token");
      for (String path :
          List.of("/api/rollouts/stream", "/api/environments/stream", "/api/rollouts/abc/stream")) {
        assertEquals(401, status(t, "GET", path, null), path + " without a token");
      }
      assertEquals(404, status(t, "GET", "/api/rollouts/abc/stream", READ), "no such rollout");
      List<Sse> envs = sse(t, "/api/environments/stream?access_token=" + READ, "environments", 1);
      assertEquals(
          Topology.ENVS.size(),
          envs.get(0).data().getJsonArray("environments").size(),
          "the environments stream names every environment");
      assertNotNull(envs.get(0).data().getString("digest"), "with the coordinator's digest");
    }
  }

  @Test
  void a_running_backfill_streams_its_progress_with_rate_and_eta() throws Exception {
    migrations();
    try (Topology t = new Topology(dir)) {
      // 10,000 rows a second: each environment's backfill takes about four seconds.
      t.tuning =
          new EngineTuning(
              EngineConfig.DEFAULT_LOCK_TIMEOUT,
              EngineConfig.DEFAULT_LOCK_RETRIES,
              new BackfillSettings(Duration.ofMillis(30), 500, 10_000, 1));
      t.start();
      String base =
          t.startRollout(new JsonObject().put("target", "cons0001").put("contract_gate", "auto"));
      assertEquals("succeeded", t.awaitEnd(base, Duration.ofSeconds(120)).getString("state"));
      t.dbs
          .get("dev")
          .execute("INSERT INTO item SELECT g, 1 FROM generate_series(1, " + ROWS + ") g");
      t.awaitHeads("cons0001");
      String id =
          t.startRollout(
              new JsonObject()
                  .put("target", "head")
                  .put("strategy", "per-environment")
                  .put("by", "ops on call"));
      List<Sse> seen =
          sse(
              t,
              "/api/rollouts/" + id + "/stream?access_token=" + Topology.TOKEN,
              "progress",
              e ->
                  e.data().getString("env").equals("dev") && e.data().getLong("rows_done") == ROWS);
      List<JsonObject> dev =
          seen.stream()
              .filter(e -> e.event().equals("progress"))
              .map(Sse::data)
              .filter(p -> p.getString("env").equals("dev"))
              .toList();
      assertTrue(
          dev.stream()
              .anyMatch(
                  p ->
                      p.getLong("rows_done") > 0
                          && p.getLong("rows_done") < ROWS
                          && number(p, "rows_per_second") > 0
                          && number(p, "eta_seconds") > 0),
          "the stream showed the backfill part way, with its rate and time left: " + dev);
      assertEquals(ROWS, dev.get(dev.size() - 1).getLong("rows_total"));
      JsonObject first =
          seen.stream().filter(e -> e.event().equals("rollout")).findFirst().get().data();
      assertEquals("ops on call", first.getString("started_by"));
      assertEquals(
          "cons0002",
          first.getJsonArray("revisions").getJsonObject(0).getString("id"),
          "the rollout names the revisions it brings");
      assertTrue(seen.stream().anyMatch(e -> e.event().equals("log")), "with its event log");
    }
  }

  @Test
  void a_finished_rollout_keeps_its_rows_phases_and_step_durations() throws Exception {
    twoBackfills();
    try (Topology t = new Topology(dir)) {
      t.start();
      String base =
          t.startRollout(new JsonObject().put("target", "fill0001").put("contract_gate", "auto"));
      assertEquals("succeeded", t.awaitEnd(base, Duration.ofSeconds(120)).getString("state"));
      for (String env : Topology.ENVS) {
        t.dbs.get(env).execute("INSERT INTO item SELECT g FROM generate_series(1, " + ROWS + ") g");
      }
      t.awaitHeads("fill0001");
      String id =
          t.startRollout(new JsonObject().put("target", "head").put("contract_gate", "auto"));
      assertEquals("succeeded", t.awaitEnd(id, Duration.ofSeconds(120)).getString("state"));
      JsonObject r = t.rollout(id);
      for (Object o : r.getJsonArray("stages")) {
        JsonObject stage = (JsonObject) o;
        String env = stage.getString("env");
        assertEquals(ROWS, stage.getLong("rows_done"), env + " keeps its rows done: " + stage);
        assertEquals(ROWS, stage.getLong("rows_total"), env + " keeps its total: " + stage);
        assertEquals(0.0, stage.getDouble("eta_seconds"), env + ": nothing left");
        assertTrue(number(stage, "rows_per_second") > 0, env + " keeps its rate: " + stage);
        List<String> phases = new ArrayList<>();
        stage
            .getJsonArray("phases")
            .forEach(
                p ->
                    phases.add(
                        ((JsonObject) p).getString("phase")
                            + "="
                            + ((JsonObject) p).getString("state")));
        assertEquals(List.of("expand=done", "backfill=done", "contract=done"), phases, env);
      }
      for (Object o : r.getJsonArray("steps")) {
        JsonObject step = (JsonObject) o;
        assertTrue(number(step, "seconds") > 0, "every step keeps its duration: " + step);
      }
      assertTrue(r.getDouble("duration_seconds") > 0, "and the rollout its own");
    }
  }

  /** A number of the JSON, 0 when it is null or missing. */
  private static double number(JsonObject o, String key) {
    return o.getValue(key) == null ? 0 : o.getDouble(key);
  }

  private static int status(Topology t, String method, String path, String token) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(t.api() + path))
            .method(method, HttpRequest.BodyPublishers.noBody());
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return HttpClient.newHttpClient()
        .send(b.build(), HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  /** The first {@code count} events named {@code name} (and all others before them). */
  private static List<Sse> sse(Topology t, String path, String name, int count) throws Exception {
    int[] n = {0};
    return sse(t, path, name, e -> ++n[0] >= count);
  }

  /**
   * Reads the stream until an event named {@code name} matches {@code until}, or 60 s pass; every
   * event read, in order.
   */
  private static List<Sse> sse(Topology t, String path, String name, Predicate<Sse> until)
      throws Exception {
    HttpResponse<java.io.InputStream> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(t.api() + path)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, response.statusCode(), path);
    assertTrue(
        response.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
    List<Sse> out = new ArrayList<>();
    long deadline = System.currentTimeMillis() + 60_000;
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      String event = null;
      String line;
      while (System.currentTimeMillis() < deadline && (line = in.readLine()) != null) {
        if (line.startsWith("event: ")) {
          event = line.substring(7);
        } else if (line.startsWith("data: ")) {
          Sse e = new Sse(event, new JsonObject(line.substring(6)));
          out.add(e);
          if (e.event().equals(name) && until.test(e)) {
            return out;
          }
        }
      }
    }
    throw new AssertionError("no matching '" + name + "' event on " + path + " in: " + out);
  }
}
