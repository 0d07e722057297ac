package dev.convoy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.testkit.MigrationFiles;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rolling back never loses data silently: a rollback that would drop a column holding rows stops at
 * an approval showing, per environment, what would be lost, and goes on only when approved with
 * allow-data-loss; an automatic rollback after a failed step stops the same way.
 */
class RollbackDataLossTest {
  @TempDir Path dir;

  private static JsonObject auto() {
    return new JsonObject().put("contract_gate", "auto");
  }

  private void migrations() {
    MigrationFiles files = new MigrationFiles(dir);
    files.yaml(
        "loss0001",
        null,
        "  - op: create_table\n    table: item\n    columns:\n"
            + "      - {name: id, type: bigint, primary_key: true}\n"
            + "      - {name: qty, type: int, nullable: false}\n");
    files.yaml(
        "loss0002",
        "loss0001",
        "  - op: add_column\n    table: item\n    column: {name: label, type: text}\n");
    files.yaml(
        "loss0003",
        "loss0002",
        "  - op: add_check\n    table: item\n    name: item_qty_positive\n"
            + "    check: \"qty > 0\"\n");
  }

  /** Polls the rollout until it waits for an approval to lose data; fails after a deadline. */
  private static JsonObject awaitDataLossWait(Topology t, String id) {
    JsonObject r =
        t.awaitRollout(
            id,
            "to stop at a data-loss approval",
            x -> waitsForDataLoss(x) || RolloutView.ended(x.getString("state")));
    assertTrue(
        waitsForDataLoss(r),
        "the rollout did not stop at a data-loss approval:\n" + r.encodePrettily());
    return r;
  }

  private static boolean waitsForDataLoss(JsonObject r) {
    JsonObject w = r.getJsonObject("waiting_for");
    return r.getString("state").equals("waiting")
        && w != null
        && "data_loss".equals(w.getString("kind"));
  }

  private static String labelled(Topology t, String env) {
    return t.dbs.get(env).scalar("SELECT count(label) FROM item");
  }

  @Test
  void a_rollback_that_would_drop_filled_rows_waits_for_approval_with_allow_data_loss()
      throws Exception {
    migrations();
    try (Topology t = new Topology(dir)) {
      t.start();
      String first = t.startRollout(auto().put("target", "loss0001"));
      assertEquals("succeeded", t.awaitEnd(first, Duration.ofSeconds(120)).getString("state"));
      for (String env : Topology.ENVS) {
        t.dbs.get(env).execute("INSERT INTO item SELECT g, 1 FROM generate_series(1, 1000) g");
      }
      String id = t.startRollout(auto().put("target", "loss0002"));
      assertEquals("succeeded", t.awaitEnd(id, Duration.ofSeconds(120)).getString("state"));
      t.dbs.get("prod").execute("UPDATE item SET label = 'shipped ' || id"); // 1,000 row updates
      Path token = dir.resolve("token");
      Files.writeString(token, Topology.TOKEN);
      String[] api = {"--api", t.api(), "--token-file", token.toString()};

      ConvoyShell.exec(concat(new String[] {"rollout", "rollback", id}, api)).exits(0);
      JsonObject r = awaitDataLossWait(t, id);
      JsonObject w = r.getJsonObject("waiting_for");
      assertEquals("prod", w.getString("env"));
      assertEquals(
          "waiting for approval to lose data in prod: column item.label (1,000 rows)",
          w.getString("message"));
      assertEquals("1000", labelled(t, "prod"), "nothing was dropped in prod");
      assertEquals("loss0002", t.heads("prod"));
      ConvoyShell.exec(concat(new String[] {"rollout", "status", id}, api))
          .exits(0)
          .outContains("Waiting for approval to lose data in prod: column item.label (1,000 rows)");
      String events = events(t, id);
      assertTrue(
          events.contains("data_loss_refused") && events.contains("waiting_for_data_loss"), events);

      ConvoyShell.exec(concat(new String[] {"rollout", "approve", id}, api))
          .exits(2)
          .errContains("a plain approve does not release it", "--allow-data-loss");
      assertEquals("waiting", t.rollout(id).getString("state"));
      HttpResponse<String> bad =
          t.http("POST", "/api/rollouts/" + id + "/approve?allow_data_loss=yes", null, true);
      assertEquals(400, bad.statusCode(), bad.body());
      assertTrue(bad.body().contains("allow_data_loss must be true or false"), bad.body());

      ConvoyShell.exec(concat(new String[] {"rollout", "approve", id, "--allow-data-loss"}, api))
          .exits(0);
      r = t.awaitEnd(id, Duration.ofSeconds(120));
      assertEquals("rolled_back", r.getString("state"), r.encodePrettily());
      for (String env : Topology.ENVS) {
        assertEquals("loss0001", t.heads(env), env);
        assertEquals("1000", t.dbs.get(env).scalar("SELECT count(*) FROM item"), env);
      }
      assertTrue(events(t, id).contains("data_loss_approved"), events(t, id));
    }
  }

  @Test
  void
      an_automatic_rollback_after_a_failed_step_stops_before_dropping_rows_and_goes_on_when_approved() {
    migrations();
    try (Topology t = new Topology(dir)) {
      t.start();
      String first = t.startRollout(auto().put("target", "loss0001"));
      assertEquals("succeeded", t.awaitEnd(first, Duration.ofSeconds(120)).getString("state"));
      t.dbs.get("dev").execute("INSERT INTO item SELECT g, 1 FROM generate_series(1, 1000) g");
      t.dbs.get("prod").execute("INSERT INTO item VALUES (1, -1)"); // breaks the check in prod
      String id =
          t.startRollout(
              new JsonObject()
                  .put("target", "loss0003")
                  .put("strategy", "per-environment")
                  .put("gates", new JsonObject().put("prod", "approval")));
      t.awaitHeadsIn("staging", "loss0003");
      // The application writes to the new column in dev while prod waits for its approval.
      t.dbs.get("dev").execute("UPDATE item SET label = 'packed ' || id");
      assertEquals(
          200, t.http("POST", "/api/rollouts/" + id + "/approve", null, true).statusCode());
      JsonObject r = awaitDataLossWait(t, id);
      assertEquals(
          "waiting for approval to lose data in dev: column item.label (1,000 rows)",
          r.getJsonObject("waiting_for").getString("message"));
      assertEquals("1000", labelled(t, "dev"), "nothing was dropped in dev");
      assertEquals("loss0001", t.heads("prod"), "prod, which lost nothing, is back already");
      assertEquals(
          200,
          t.http("POST", "/api/rollouts/" + id + "/approve", "{\"allow_data_loss\": true}", true)
              .statusCode());
      r = t.awaitEnd(id, Duration.ofSeconds(120));
      assertEquals("rolled_back", r.getString("state"), r.encodePrettily());
      for (String env : Topology.ENVS) {
        assertEquals("loss0001", t.heads(env), env);
      }
    }
  }

  private static String events(Topology t, String id) {
    return t.control.scalar(
        "SELECT string_agg(type, ',' ORDER BY id) FROM convoy_control.events WHERE rollout_id = '"
            + id
            + "'");
  }

  private static String[] concat(String[] a, String[] b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
