package dev.convoy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.testkit.MigrationFiles;
import dev.convoy.testkit.Poll;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The versions-drained gate end to end (real coordinator, agents, Redis and PostgreSQL): while a
 * session of the old application version is open in prod, the rollout waits before prod's contract
 * and says so through the API, the console's environments and 'rollout status'; once it closes and
 * prod stays quiet for the gate's time, the contract runs and the rollout finishes.
 */
class DrainRolloutTest {
  private static final List<String> ENVS = List.of("dev", "prod");

  @TempDir Path dir;

  private void migrations() {
    MigrationFiles files = new MigrationFiles(dir);
    files.yaml(
        "drain0001",
        null,
        "  - op: create_table\n    table: item\n    columns:\n"
            + "      - {name: id, type: bigint, primary_key: true}\n"
            + "      - {name: note, type: text}\n");
    files.yaml(
        "drain0002",
        "drain0001",
        "lint: {ignore: [rename]}\n",
        "  - op: rename_column\n    table: item\n    from: note\n    to: memo\n");
  }

  /** An application session of {@code version} in the environment's database. */
  private static Connection application(Topology t, String env, String version) throws Exception {
    URI u = URI.create(t.dbs.get(env).url());
    Properties p = new Properties();
    String[] login = u.getUserInfo().split(":", 2);
    p.setProperty("user", login[0]);
    if (login.length > 1) {
      p.setProperty("password", login[1]);
    }
    p.setProperty("ApplicationName", version);
    return DriverManager.getConnection(
        "jdbc:postgresql://" + u.getHost() + ":" + u.getPort() + u.getPath(), p);
  }

  private static String column(Topology t, String env) {
    return t.dbs
        .get(env)
        .scalar(
            "SELECT string_agg(column_name, ',' ORDER BY column_name) FROM"
                + " information_schema.columns WHERE table_name = 'item'"
                + " AND table_schema = 'public'");
  }

  @Test
  void prod_contracts_only_once_the_old_versions_sessions_have_drained_for_the_quiet_time()
      throws Exception {
    migrations();
    try (Topology t = new Topology(dir, ENVS)) {
      t.start();
      String first =
          t.startRollout(new JsonObject().put("target", "drain0001").put("contract_gate", "auto"));
      assertEquals("succeeded", t.awaitEnd(first, Duration.ofSeconds(120)).getString("state"));
      Path token = dir.resolve("token");
      Files.writeString(token, Topology.TOKEN);
      String id;
      try (Connection oldApp = application(t, "prod", "convoy_v_drain0001");
          Connection newApp = application(t, "prod", "convoy_v_drain0002")) {
        id =
            t.startRollout(
                new JsonObject()
                    .put("contract_gate", "auto")
                    .put("gates", new JsonObject().put("prod", "versions-drained:1s")));
        JsonObject r =
            t.awaitRollout(
                id,
                "to wait for prod's versions to drain",
                x ->
                    "waiting".equals(x.getString("state"))
                        && x.getJsonObject("waiting_for") != null
                        && "versions".equals(x.getJsonObject("waiting_for").getString("kind"))
                        && x.getJsonObject("waiting_for").getString("message").contains("session"));
        assertEquals("waiting", r.getString("state"), r.encodePrettily());
        assertEquals(
            "waiting for versions to drain in prod: convoy_v_drain0001 has 1 session; quiet for"
                + " 0s of 1s",
            r.getJsonObject("waiting_for").getString("message"),
            "the new version's session does not hold the gate");
        assertEquals("id,memo", column(t, "dev"), "dev has no drain gate: contracted");
        assertEquals("id,note", column(t, "prod"), "prod not contracted while the old app runs");

        JsonObject prod =
            Poll.until(
                Duration.ofSeconds(30),
                "prod's live versions in GET /api/environments",
                () ->
                    new JsonObject(t.http("GET", "/api/environments", null, true).body())
                        .getJsonArray("environments")
                        .getJsonObject(1),
                e ->
                    e.getJsonObject("versions") != null && e.getJsonObject("versions").size() == 2);
        assertEquals(
            1, prod.getJsonObject("versions").getJsonObject("drain0001").getInteger("sessions"));
        assertEquals(
            "convoy_v_drain0001",
            prod.getJsonObject("versions").getJsonObject("drain0001").getString("name"));
        assertTrue(prod.getString("versions_seen_at") != null, prod.encodePrettily());
        assertTrue(
            t.http("GET", "/metrics", null, false)
                .body()
                .contains(
                    "convoy_version_sessions{env=\"prod\",version=\"convoy_v_drain0001\"} 1.0"),
            "the gauge");

        ConvoyShell.exec(
                "rollout", "status", id, "--api", t.api(), "--token-file", token.toString())
            .exits(0)
            .outContains(
                "waiting",
                "Waiting for versions to drain in prod: convoy_v_drain0001 has 1 session; quiet"
                    + " for 0s of 1s; gate versions-drained:1s.",
                "Released by no session of an old version in prod for 1s",
                "versions: convoy_v_drain0001 1 session, convoy_v_drain0002 1 session");
        t.awaitDriverRound();
        assertEquals("id,note", column(t, "prod"), "still waiting after more decisions");
      }
      // Both applications gone: prod stays quiet for 1 s, then contracts.
      long closedAt = System.currentTimeMillis();
      JsonObject r = t.awaitEnd(id, Duration.ofSeconds(120));
      assertEquals("succeeded", r.getString("state"), r.encodePrettily());
      assertEquals("id,memo", column(t, "prod"));
      assertEquals("drain0002", t.heads("prod"));
      long sentAt =
          Long.parseLong(
              t.control.scalar(
                  "SELECT (extract(epoch FROM sent_at) * 1000)::bigint FROM convoy_control.steps"
                      + " WHERE rollout_id = '"
                      + id
                      + "' AND env = 'prod' AND phase = 'all'"));
      // The last report that saw the session came at most one heartbeat (500 ms) before the close.
      assertTrue(
          sentAt - closedAt >= 500,
          "prod's contract went "
              + (sentAt - closedAt)
              + " ms after the close, before 1 s of quiet");
      System.out.println(
          "measured: prod's contract sent "
              + (sentAt - closedAt)
              + " ms after the old session closed"
              + " (versions-drained:1s, heartbeat 500 ms)");
      String events =
          t.control.scalar(
              "SELECT string_agg(type || ':' || coalesce(message, ''), ' | ' ORDER BY id) FROM"
                  + " convoy_control.events WHERE rollout_id = '"
                  + id
                  + "'");
      assertTrue(
          events.contains(
              "waiting_for_versions:waiting for versions to drain in prod: convoy_v_drain0001"),
          events);
    }
  }
}
