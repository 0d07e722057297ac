package dev.convoy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.testkit.MigrationFiles;
import dev.convoy.testkit.Poll;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rollouts through dev, staging and prod with a real coordinator, agents, Redis and PostgreSQL. */
class RolloutTest {
  @TempDir Path dir;

  private void migrations() {
    MigrationFiles files = new MigrationFiles(dir);
    files.yaml(
        "roll0001",
        null,
        "  - op: create_table\n    table: item\n    columns:\n"
            + "      - {name: id, type: bigint, primary_key: true}\n"
            + "      - {name: qty, type: int, nullable: false}\n");
    files.yaml(
        "roll0002",
        "roll0001",
        "  - op: add_column\n    table: item\n    column: {name: label, type: text, nullable:"
            + " false}\n    backfill: \"'item ' || id\"\n");
  }

  @Test
  void an_expand_first_rollout_reaches_head_everywhere_and_metrics_show_it_moving()
      throws Exception {
    migrations();
    try (Topology t = new Topology(dir)) {
      t.start();
      assertEquals(
          401,
          t.http("POST", "/api/rollouts", "{}", false).statusCode(),
          "mutating calls need the bearer token");
      String first = t.startRollout(auto().put("target", "roll0001"));
      assertEquals("succeeded", t.awaitEnd(first, Duration.ofSeconds(120)).getString("state"));
      for (String env : Topology.ENVS) {
        t.dbs.get(env).execute("INSERT INTO item SELECT g, 1 FROM generate_series(1, 20000) g");
      }
      t.awaitHeads("roll0001"); // the plan starts from the heartbeats' heads
      // The deploy window holds the rollout half way (expanded everywhere) until the test says the
      // application is deployed: a scrape is sure to see it there, however fast or slow this is.
      String id = t.startRollout(new JsonObject().put("target", "head"));
      t.awaitRollout(id, "to wait in its deploy window", r -> Topology.state(r).equals("waiting"));
      String halfWay =
          Poll.until(
              Duration.ofSeconds(60),
              "the metrics to show every stage expanded",
              () -> t.http("GET", "/metrics", null, false).body(),
              m ->
                  Topology.ENVS.stream()
                      .allMatch(
                          env ->
                              m.contains("convoy_rollout_stage_state{env=\"" + env + "\"} 2.0")));
      assertEquals(
          200, t.http("POST", "/api/rollouts/" + id + "/deployed", null, true).statusCode());
      JsonObject r = t.awaitEnd(id, Duration.ofSeconds(120));
      assertEquals("succeeded", r.getString("state"), r.encodePrettily());
      assertEquals(new JsonArray(List.of("done", "done", "done")), Topology.states(r));
      for (String env : Topology.ENVS) {
        assertEquals("roll0002", t.heads(env), env);
        assertEquals("0", t.dbs.get(env).scalar("SELECT count(*) FROM item WHERE label IS NULL"));
        assertEquals(
            id,
            t.dbs
                .get(env)
                .scalar(
                    "SELECT string_agg(DISTINCT plan_id, ',') FROM convoy.history"
                        + " WHERE revision = 'roll0002' AND success"),
            "history names the plan");
      }
      assertTrue(halfWay.contains("convoy_rollouts_active 1.0"), halfWay);
      // The stage gauges are set right after the round that finished the rollout.
      String after =
          Poll.until(
              Duration.ofSeconds(60),
              "the metrics to show prod done",
              () -> t.http("GET", "/metrics", null, false).body(),
              m -> m.contains("convoy_rollout_stage_state{env=\"prod\"} 3.0"));
      assertTrue(after.contains("convoy_step_duration_seconds_count{env=\"prod\",op="), after);
      assertTrue(after.contains("convoy_agents_up{env=\"dev\"} 1.0"), after);
      Matcher rows =
          Pattern.compile("convoy_backfill_rows_total\\{env=\"prod\"\\} ([0-9.E]+)").matcher(after);
      assertTrue(rows.find() && Double.parseDouble(rows.group(1)) >= 20000, after);
      JsonObject health = new JsonObject(t.http("GET", "/health", null, false).body());
      assertEquals(true, health.getBoolean("leader"));
    }
  }

  @Test
  void a_migration_failing_only_in_prod_brings_every_environment_back() throws Exception {
    MigrationFiles files = new MigrationFiles(dir);
    files.yaml(
        "fail0001",
        null,
        "  - op: create_table\n    table: item\n    columns:\n"
            + "      - {name: id, type: bigint, primary_key: true}\n"
            + "      - {name: qty, type: int, nullable: false}\n");
    files.yaml(
        "fail0002",
        "fail0001",
        "  - op: add_check\n    table: item\n    name: item_qty_positive\n"
            + "    check: \"qty > 0\"\n");
    try (Topology t = new Topology(dir)) {
      t.start();
      String first = t.startRollout(auto().put("target", "fail0001"));
      assertEquals("succeeded", t.awaitEnd(first, Duration.ofSeconds(120)).getString("state"));
      for (String env : Topology.ENVS) {
        t.dbs.get(env).execute("INSERT INTO item VALUES (1, 5), (2, 7)");
      }
      t.dbs.get("prod").execute("INSERT INTO item VALUES (3, -1)"); // violates the new check
      t.awaitHeads("fail0001"); // the plan starts from the heartbeats' heads
      String id = t.startRollout(auto().put("target", "fail0002"));
      JsonObject r = t.awaitEnd(id, Duration.ofSeconds(120));
      assertEquals("rolled_back", r.getString("state"), r.encodePrettily());
      for (String env : Topology.ENVS) {
        assertEquals("fail0001", t.heads(env), env + " is back at the starting revision");
        assertEquals(
            "0",
            t.dbs
                .get(env)
                .scalar("SELECT count(*) FROM pg_constraint WHERE conname = 'item_qty_positive'"),
            env);
      }
      assertEquals("3", t.dbs.get("prod").scalar("SELECT count(*) FROM item"), "prod data kept");
      String events =
          t.control.scalar(
              "SELECT string_agg(type, ',' ORDER BY id) FROM convoy_control.events"
                  + " WHERE rollout_id = '"
                  + id
                  + "'");
      assertTrue(
          events.contains("step_failed")
              && events.contains("rollback_started")
              && events.endsWith("rollout_rolled_back"),
          events);
      String metrics = t.http("GET", "/metrics", null, false).body();
      assertTrue(metrics.contains("convoy_rollbacks_total 1.0"), metrics);
      String sse =
          sse(t, "/api/events?after=0&access_token=" + Topology.TOKEN, "rollout_rolled_back");
      assertTrue(
          sse.contains("event: rollback_started") && sse.contains("\"rollout\":\"" + id), sse);
    }
  }

  @Test
  void an_approval_gate_holds_prod_until_approved_and_pause_holds_the_rest() throws Exception {
    migrations();
    try (Topology t = new Topology(dir)) {
      t.start();
      String id =
          t.startRollout(
              new JsonObject()
                  .put("strategy", "per-environment")
                  .put("gates", new JsonObject().put("prod", "approval")));
      JsonObject r =
          t.awaitRollout(id, "to wait at prod's gate", x -> Topology.state(x).equals("waiting"));
      assertEquals(new JsonArray(List.of("done", "done", "pending")), Topology.states(r));
      t.awaitDriverRound(); // the driver looked at the closed gate again: it still sends nothing
      assertEquals("pending", prodStep(t, id), "prod's step not sent while the gate is closed");
      assertEquals(null, t.heads("prod"), "prod untouched while the gate is closed");
      assertEquals(
          409,
          t.http("POST", "/api/rollouts/" + id + "/resume", null, true).statusCode(),
          "resume of a rollout that is not paused is refused");
      assertEquals(200, t.http("POST", "/api/rollouts/" + id + "/pause", null, true).statusCode());
      assertEquals(
          200,
          t.http("POST", "/api/rollouts/" + id + "/approve?env=prod", null, true).statusCode());
      t.awaitDriverRound(); // the driver has seen the approval: a paused rollout still waits
      assertEquals("paused", t.rollout(id).getString("state"));
      assertEquals("pending", prodStep(t, id), "a paused rollout sends nothing, even approved");
      assertEquals(null, t.heads("prod"));
      assertEquals(200, t.http("POST", "/api/rollouts/" + id + "/resume", null, true).statusCode());
      r = t.awaitEnd(id, Duration.ofSeconds(120));
      assertEquals("succeeded", r.getString("state"), r.encodePrettily());
      assertEquals("roll0002", t.heads("prod"));
      String events =
          t.control.scalar(
              "SELECT string_agg(type, ',' ORDER BY id) FROM"
                  + " convoy_control.events WHERE rollout_id = '"
                  + id
                  + "'");
      assertTrue(events.contains("waiting,paused,approved,resumed"), events);
    }
  }

  @Test
  void the_rollout_commands_start_follow_and_approve_through_the_api() throws Exception {
    migrations();
    try (Topology t = new Topology(dir)) {
      t.start();
      ConvoyShell.exec("rollout", "start", "--api", t.api())
          .exits(2)
          .errContains("coordinator answered 401", "Bearer");
      Path token = dir.resolve("token");
      java.nio.file.Files.writeString(token, Topology.TOKEN + "\n");
      ConvoyShell.exec(
              "rollout",
              "start",
              "--api",
              t.api(),
              "--token-file",
              token.toString(),
              "--strategy",
              "sideways")
          .exits(2)
          .errContains("strategy 'sideways' is not expand-first or per-environment");
      ConvoyShell.Result started =
          ConvoyShell.exec(
                  "rollout",
                  "start",
                  "--api",
                  t.api(),
                  "--token-file",
                  token.toString(),
                  "--gate",
                  "prod=approval",
                  "--contract-gate",
                  "auto")
              .exits(0)
              .outContains("Rollout ", "started");
      String id = started.out().split(" ")[1];
      t.awaitRollout(id, "to wait at prod's approval", r -> Topology.state(r).equals("waiting"));
      ConvoyShell.exec("rollout", "status", id, "--api", t.api(), "--token-file", token.toString())
          .exits(0)
          .outContains(
              "waiting",
              "dev        expanded",
              "staging    expanded",
              "prod       pending       base");
      ConvoyShell.exec("rollout", "approve", id, "--api", t.api(), "--token-file", token.toString())
          .exits(0);
      ConvoyShell.exec(
              "rollout", "status", "--watch", "--api", t.api(), "--token-file", token.toString())
          .exits(0)
          .outContains("succeeded", "prod       done          roll0002");
    }
  }

  @Test
  void rollback_on_request_brings_a_finished_rollout_back_everywhere() throws Exception {
    migrations();
    try (Topology t = new Topology(dir)) {
      t.start();
      String first = t.startRollout(auto().put("target", "roll0001"));
      assertEquals("succeeded", t.awaitEnd(first, Duration.ofSeconds(120)).getString("state"));
      t.awaitHeads("roll0001"); // the plan starts from the heartbeats' heads
      String id = t.startRollout(auto().put("target", "roll0002"));
      assertEquals("succeeded", t.awaitEnd(id, Duration.ofSeconds(120)).getString("state"));
      Path token = dir.resolve("token");
      java.nio.file.Files.writeString(token, Topology.TOKEN);
      ConvoyShell.exec(
              "rollout", "rollback", id, "--api", t.api(), "--token-file", token.toString())
          .exits(0);
      JsonObject r = t.awaitEnd(id, Duration.ofSeconds(120));
      assertEquals("rolled_back", r.getString("state"), r.encodePrettily());
      assertEquals(
          new JsonArray(List.of("rolled_back", "rolled_back", "rolled_back")), Topology.states(r));
      for (String env : Topology.ENVS) {
        assertEquals("roll0001", t.heads(env), env);
        assertEquals(
            "0",
            t.dbs
                .get(env)
                .scalar(
                    "SELECT count(*) FROM information_schema.columns"
                        + " WHERE table_name = 'item' AND column_name = 'label'"),
            env);
      }
    }
  }

  /** The state of prod's step in the control database. */
  private static String prodStep(Topology t, String id) {
    return t.control.scalar(
        "SELECT state FROM convoy_control.steps WHERE rollout_id = '" + id + "' AND env = 'prod'");
  }

  /** A rollout request that contracts right after expand (no deploy window): what these test. */
  private static JsonObject auto() {
    return new JsonObject().put("contract_gate", "auto");
  }

  /** Reads the server-sent events stream until {@code until} shows up (or 60 s pass). */
  private static String sse(Topology t, String path, String until) throws Exception {
    var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(t.api() + path)).build();
    var response =
        java.net.http.HttpClient.newHttpClient()
            .send(request, java.net.http.HttpResponse.BodyHandlers.ofInputStream());
    StringBuilder seen = new StringBuilder();
    long deadline = System.currentTimeMillis() + 60_000;
    try (var in =
        new java.io.BufferedReader(
            new java.io.InputStreamReader(
                response.body(), java.nio.charset.StandardCharsets.UTF_8))) {
      String line;
      while (System.currentTimeMillis() < deadline && (line = in.readLine()) != null) {
        seen.append(line).append('\n');
        if (line.contains(until)) {
          break;
        }
      }
    }
    return seen.toString();
  }
}
