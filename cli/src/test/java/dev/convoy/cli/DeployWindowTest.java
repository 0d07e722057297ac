package dev.convoy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.coordinator.Coordinator;
import dev.convoy.testkit.MigrationFiles;
import dev.convoy.testkit.OffsetClock;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deploy window of expand-first rollouts: after expand in every environment the rollout waits
 * at its contract gate until the new application is deployed (real coordinator, agents, Redis and
 * PostgreSQL).
 */
class DeployWindowTest {
  @TempDir Path dir;

  private void migrations() {
    MigrationFiles files = new MigrationFiles(dir);
    files.yaml(
        "gate0001",
        null,
        "  - op: create_table\n    table: item\n    columns:\n"
            + "      - {name: id, type: bigint, primary_key: true}\n");
    files.yaml(
        "gate0002",
        "gate0001",
        "  - op: add_column\n    table: item\n    column: {name: label, type: text, nullable:"
            + " false}\n    backfill: \"'item ' || id\"\n");
  }

  private Path token() throws Exception {
    Path token = dir.resolve("token");
    Files.writeString(token, Topology.TOKEN);
    return token;
  }

  @Test
  void an_expand_first_rollout_stops_after_expand_everywhere_until_the_deploy_call()
      throws Exception {
    migrations();
    try (Topology t = new Topology(dir)) {
      t.start();
      String token = token().toString();
      String id =
          ConvoyShell.exec("rollout", "start", "--api", t.api(), "--token-file", token)
              .exits(0)
              .out()
              .split(" ")[1];
      JsonObject r = await(t, id, x -> x.getString("state").equals("waiting"));
      assertEquals("waiting", r.getString("state"), r.encodePrettily());
      assertEquals(new JsonArray(List.of("expanded", "expanded", "expanded")), Topology.states(r));
      assertEquals("approval", r.getString("contract_gate"), "approval is the default");
      for (Object o : r.getJsonArray("steps")) {
        JsonObject s = (JsonObject) o;
        assertEquals(
            s.getString("phase").equals("expand") ? "succeeded" : "pending",
            s.getString("state"),
            "every expand done, no contract sent: " + s);
      }
      for (String env : Topology.ENVS) {
        assertEquals("1", t.dbs.get(env).scalar(expanded()), env + " expanded, not contracted");
        assertEquals("YES", t.dbs.get(env).scalar(labelNullable()), env + " label still nullable");
      }
      JsonObject waiting = r.getJsonObject("waiting_for");
      assertEquals("deploy", waiting.getString("kind"), r.encodePrettily());
      assertEquals("approval", waiting.getString("gate"));
      ConvoyShell.exec(
              "rollout", "status", id, "--api", t.api(), "--token-file", token().toString())
          .exits(0)
          .outContains(
              "waiting",
              "Waiting for the deploy of the new application (expand done in every environment);"
                  + " contract gate approval.",
              "Released by 'convoy rollout approve " + id + "' or 'convoy rollout deployed " + id,
              "prod       expanded");
      ConvoyShell.exec(
              "rollout",
              "deployed",
              id,
              "--api",
              t.api(),
              "--token-file",
              token,
              "--by",
              "pipeline run 42")
          .exits(0);
      r = t.awaitEnd(id, Duration.ofSeconds(120));
      assertEquals("succeeded", r.getString("state"), r.encodePrettily());
      assertEquals(new JsonArray(List.of("done", "done", "done")), Topology.states(r));
      for (String env : Topology.ENVS) {
        assertEquals("0", t.dbs.get(env).scalar(expanded()), env);
        assertEquals("NO", t.dbs.get(env).scalar(labelNullable()), env + " contracted");
      }
      String events = events(t, id);
      assertTrue(events.contains("waiting_for_deploy:"), events);
      assertTrue(events.contains("deployed:the new application is deployed"), events);
      assertTrue(events.contains("released by pipeline run 42"), events);
      assertEquals(
          "deployed pipeline run 42",
          t.control.scalar(
              "SELECT how || ' ' || released_by FROM convoy_control.releases WHERE rollout_id = '"
                  + id
                  + "'"));
      ConvoyShell.exec("rollout", "deployed", id, "--api", t.api(), "--token-file", token)
          .exits(2)
          .errContains(
              "coordinator answered 409",
              "rollout " + id + " is not waiting at a contract gate (it is succeeded)");
    }
  }

  @Test
  void a_soak_contract_gate_opens_by_itself_once_the_clock_passes_the_soak_after_the_last_expand()
      throws Exception {
    migrations();
    OffsetClock clock = new OffsetClock();
    try (Topology t = new Topology(dir)) {
      t.clock = clock; // the coordinator's: agents and the databases keep the real time
      t.start();
      String id = t.startRollout(new JsonObject().put("contract_gate", "soak:5m"));
      JsonObject r = await(t, id, x -> x.getString("state").equals("waiting"));
      JsonObject waiting = r.getJsonObject("waiting_for");
      assertEquals("soak:5m", waiting.getString("gate"), r.encodePrettily());
      double left = waiting.getDouble("soak_remaining_seconds");
      assertTrue(left > 60 && left <= 300, "counting down from 300 s: " + r.encodePrettily());
      assertTrue(
          RolloutView.render(r).contains("s of soak left"), "status says how long it still waits");
      t.awaitDriverRound();
      for (String env : Topology.ENVS) {
        assertEquals("YES", t.dbs.get(env).scalar(labelNullable()), env + " not contracted yet");
      }
      assertEquals("waiting", t.rollout(id).getString("state"));
      clock.advance(Duration.ofMinutes(5)); // less than the events window: agents stay heard
      r = t.awaitEnd(id, Duration.ofSeconds(120));
      assertEquals("succeeded", r.getString("state"), r.encodePrettily());
      for (String env : Topology.ENVS) {
        assertEquals("NO", t.dbs.get(env).scalar(labelNullable()), env + " contracted");
      }
      assertTrue(events(t, id).contains("waiting_for_deploy:"), events(t, id));
      assertEquals(
          "0",
          t.control.scalar(
              "SELECT count(*) FROM convoy_control.releases WHERE rollout_id = '" + id + "'"),
          "the soak opened the gate, not a release");
    }
  }

  @Test
  void approve_releases_the_default_gate_but_not_a_deployed_gate() throws Exception {
    migrations();
    try (Topology t = new Topology(dir)) {
      t.start();
      String first =
          t.startRollout(
              new JsonObject().put("target", "gate0001").put("contract_gate", "deployed"));
      await(t, first, x -> x.getJsonObject("waiting_for") != null);
      HttpResponse<String> refused =
          t.http("POST", "/api/rollouts/" + first + "/approve", null, true);
      assertEquals(409, refused.statusCode(), refused.body());
      assertTrue(
          refused.body().contains("contract gate 'deployed', which approve does not release")
              && refused.body().contains("convoy rollout deployed " + first),
          refused.body());
      assertEquals(
          200, t.http("POST", "/api/rollouts/" + first + "/deployed", null, true).statusCode());
      assertEquals("succeeded", t.awaitEnd(first, Duration.ofSeconds(120)).getString("state"));

      String id = t.startRollout(new JsonObject().put("target", "gate0002"));
      await(t, id, x -> x.getJsonObject("waiting_for") != null);
      assertEquals(
          200, t.http("POST", "/api/rollouts/" + id + "/approve", null, true).statusCode());
      JsonObject r = t.awaitEnd(id, Duration.ofSeconds(120));
      assertEquals("succeeded", r.getString("state"), r.encodePrettily());
      for (String env : Topology.ENVS) {
        assertEquals("gate0002", t.heads(env), env);
        assertEquals("NO", t.dbs.get(env).scalar(labelNullable()), env);
      }
      assertTrue(events(t, id).contains("approved:contract gate approval (wave 1)"), events(t, id));
    }
  }

  @Test
  void a_release_lives_in_the_control_database_so_any_coordinator_records_it_for_the_leader()
      throws Exception {
    migrations();
    try (Topology t = new Topology(dir)) {
      t.start();
      String id = t.startRollout(new JsonObject().put("contract_gate", "deployed"));
      await(t, id, x -> x.getJsonObject("waiting_for") != null);
      Coordinator standby = t.coordinator("c2");
      try {
        assertTrue(!standby.leader(), "c1 still leads");
        ConvoyShell.exec(
                "rollout",
                "deployed",
                id,
                "--api",
                "http://127.0.0.1:" + standby.httpPort(),
                "--token-file",
                token().toString())
            .exits(0);
        JsonObject r = t.awaitEnd(id, Duration.ofSeconds(120));
        assertEquals("succeeded", r.getString("state"), r.encodePrettily());
      } finally {
        standby.close();
      }
    }
  }

  @Test
  void bad_contract_gates_and_misplaced_deploy_calls_are_refused_saying_why() throws Exception {
    migrations();
    try (Topology t = new Topology(dir)) {
      t.start();
      for (String gate : List.of("later", "soak:forever", "deployed:prod")) {
        HttpResponse<String> r =
            t.http(
                "POST",
                "/api/rollouts",
                new JsonObject().put("contract_gate", gate).encode(),
                true);
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(
            r.body().contains("contract gate '" + gate + "' is not one of approval, deployed,"),
            r.body());
      }
      HttpResponse<String> perEnv =
          t.http(
              "POST",
              "/api/rollouts",
              new JsonObject()
                  .put("strategy", "per-environment")
                  .put("contract_gate", "auto")
                  .encode(),
              true);
      assertEquals(400, perEnv.statusCode(), perEnv.body());
      assertTrue(perEnv.body().contains("needs strategy expand-first"), perEnv.body());
      String token = token().toString();
      ConvoyShell.exec(
              "rollout",
              "start",
              "--api",
              t.api(),
              "--token-file",
              token,
              "--contract-gate",
              "whenever")
          .exits(2)
          .errContains(
              "contract gate 'whenever' is not one of approval, deployed, soak:<duration>"
                  + " (e.g. soak:10m), versions-drained[:<duration>] or auto");
      ConvoyShell.exec("rollout", "deployed", "nope", "--api", t.api(), "--token-file", token)
          .exits(2)
          .errContains("coordinator answered 404", "no rollout nope");
      ConvoyShell.exec("rollout", "deployed", "--help")
          .exits(0)
          .outContains("Usage: convoy rollout deployed", "Made by a deploy pipeline");
      ConvoyShell.exec("rollout", "start", "--help")
          .exits(0)
          .outContains("--contract-gate=GATE", "or auto (no window)");

      String id =
          t.startRollout(
              new JsonObject().put("gates", new JsonObject().put("staging", "approval")));
      JsonObject r = await(t, id, x -> x.getString("state").equals("waiting"));
      assertEquals(
          "approval", r.getJsonObject("waiting_for").getString("kind"), r.encodePrettily());
      HttpResponse<String> early = t.http("POST", "/api/rollouts/" + id + "/deployed", null, true);
      assertEquals(409, early.statusCode(), early.body());
      assertTrue(
          early
              .body()
              .contains(
                  "is not waiting at a contract gate (it is waiting, at step 2 (expand in"
                      + " staging, pending))"),
          early.body());
      assertEquals(
          "0",
          t.control.scalar(
              "SELECT count(*) FROM convoy_control.releases WHERE rollout_id = '" + id + "'"),
          "a refused call is not remembered");
    }
  }

  @Test
  void status_names_the_wave_only_when_there_are_several() {
    JsonObject r =
        new JsonObject()
            .put("id", "r1")
            .put("target", "head")
            .put("strategy", "expand-first")
            .put("state", "running")
            .put("wave", 1)
            .put("waves", 2);
    assertTrue(
        RolloutView.render(r)
            .startsWith("Rollout r1 to head (expand-first): running (wave 1 of 2)"),
        RolloutView.render(r));
    assertEquals(
        "Rollout r1 to head (expand-first): running", RolloutView.render(r.put("waves", 1)));
  }

  private static String expanded() {
    return "SELECT count(*) FROM convoy.expanded WHERE revision = 'gate0002'";
  }

  private static String labelNullable() {
    return "SELECT is_nullable FROM information_schema.columns WHERE table_name = 'item'"
        + " AND column_name = 'label'";
  }

  private static String events(Topology t, String id) {
    return t.control.scalar(
        "SELECT string_agg(type || ':' || coalesce(message, ''), ' | ' ORDER BY id) FROM"
            + " convoy_control.events WHERE rollout_id = '"
            + id
            + "'");
  }

  /** Polls the rollout until {@code until} holds; fails if it ends first or after 60 s. */
  private static JsonObject await(Topology t, String id, Predicate<JsonObject> until) {
    JsonObject r =
        t.awaitRollout(
            id,
            "to reach the state awaited",
            x -> until.test(x) || RolloutView.ended(x.getString("state")));
    assertTrue(until.test(r), r.encodePrettily());
    return r;
  }
}
