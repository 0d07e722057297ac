package dev.convoy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.testkit.MigrationFiles;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rollback returns each environment to all of its starting heads, branches included, as read from
 * its database when its stage starts, whatever the heartbeats said when the rollout was made.
 */
class RollbackHeadsTest {
  @TempDir Path dir;

  private void branches() {
    MigrationFiles files = new MigrationFiles(dir);
    files.yaml(
        "root0001",
        null,
        "  - op: create_table\n    table: item\n    columns:\n"
            + "      - {name: id, type: bigint, primary_key: true}\n");
    files.yaml(
        "brna0002",
        "root0001",
        "  - op: create_table\n    table: alpha\n    columns:\n"
            + "      - {name: id, type: bigint, primary_key: true}\n");
    files.yaml(
        "brnb0003",
        "root0001",
        "  - op: create_table\n    table: beta\n    columns:\n"
            + "      - {name: id, type: bigint, primary_key: true}\n");
    files.yaml(
        "brnb0004",
        "brnb0003",
        "  - op: add_column\n    table: beta\n    column: {name: note, type: text}\n");
    files.yaml(
        "merg0005",
        "[brna0002, brnb0004]",
        "  - op: add_column\n    table: item\n    column: {name: note, type: text}\n");
  }

  private static JsonObject auto() {
    return new JsonObject().put("contract_gate", "auto");
  }

  /** Applies both branches by hand (as a person with the CLI would) and fills their tables. */
  private void bothBranchesByHand(Topology t) {
    for (String env : Topology.ENVS) {
      ConvoyShell shell = ConvoyShell.at(dir, t.dbs.get(env).url());
      shell.run("upgrade", "brna0002").exits(0);
      shell.run("upgrade", "brnb0003").exits(0);
      t.dbs.get(env).execute("INSERT INTO alpha SELECT g FROM generate_series(1, 1000) g");
      t.dbs.get(env).execute("INSERT INTO beta SELECT g FROM generate_series(1, 1000) g");
    }
  }

  private static String sorted(String heads) {
    return heads == null
        ? null
        : String.join(",", java.util.Arrays.stream(heads.split(",")).sorted().toList());
  }

  @Test
  void
      a_rollout_to_the_merge_of_two_branches_rolled_back_leaves_both_heads_and_their_rows_even_when_the_heartbeats_were_stale() {
    branches();
    try (Topology t = new Topology(dir)) {
      t.start();
      String first = t.startRollout(auto().put("target", "root0001"));
      assertEquals("succeeded", t.awaitEnd(first, Duration.ofSeconds(120)).getString("state"));
      t.awaitHeads("root0001");
      // The rollout is planned from heartbeats saying root0001; it waits for dev's approval while
      // both branches are applied by hand: what it was told at creation is now wrong.
      String id =
          t.startRollout(
              auto()
                  .put("target", "merg0005")
                  .put("gates", new JsonObject().put("dev", "approval")));
      JsonObject r = t.rollout(id);
      assertEquals(
          new JsonArray().add("root0001"), r.getJsonObject("start_heads").getJsonArray("prod"));
      bothBranchesByHand(t);
      t.http("POST", "/api/rollouts/" + id + "/approve", null, true);
      r = t.awaitEnd(id, Duration.ofSeconds(120));
      assertEquals("succeeded", r.getString("state"), r.encodePrettily());
      for (String env : Topology.ENVS) {
        assertEquals(
            new JsonArray().add("brna0002").add("brnb0003"),
            r.getJsonObject("start_heads").getJsonArray(env),
            env + "'s starting heads are read from its database, not the heartbeat");
      }
      assertEquals(
          200, t.http("POST", "/api/rollouts/" + id + "/rollback", null, true).statusCode());
      r = t.awaitEnd(id, Duration.ofSeconds(120));
      assertEquals("rolled_back", r.getString("state"), r.encodePrettily());
      for (String env : Topology.ENVS) {
        assertEquals("brna0002,brnb0003", sorted(t.heads(env)), env + " has both heads back");
        assertEquals("1000", t.dbs.get(env).scalar("SELECT count(*) FROM alpha"), env);
        assertEquals("1000", t.dbs.get(env).scalar("SELECT count(*) FROM beta"), env);
        assertEquals(
            "0",
            t.dbs
                .get(env)
                .scalar(
                    "SELECT count(*) FROM information_schema.columns WHERE table_name = 'item'"
                        + " AND column_name = 'note'"),
            env + ": the merge is undone");
      }
    }
  }

  @Test
  void a_rollout_that_moves_the_second_of_two_branches_is_undone_on_that_branch() {
    branches();
    try (Topology t = new Topology(dir)) {
      t.start();
      String first = t.startRollout(auto().put("target", "brna0002"));
      assertEquals("succeeded", t.awaitEnd(first, Duration.ofSeconds(120)).getString("state"));
      String second = t.startRollout(auto().put("target", "brnb0003"));
      assertEquals("succeeded", t.awaitEnd(second, Duration.ofSeconds(120)).getString("state"));
      String id = t.startRollout(auto().put("target", "brnb0004"));
      assertEquals("succeeded", t.awaitEnd(id, Duration.ofSeconds(120)).getString("state"));
      for (String env : Topology.ENVS) {
        assertEquals("brna0002,brnb0004", sorted(t.heads(env)), env);
      }
      assertEquals(
          200, t.http("POST", "/api/rollouts/" + id + "/rollback", null, true).statusCode());
      JsonObject r = t.awaitEnd(id, Duration.ofSeconds(120));
      assertEquals("rolled_back", r.getString("state"), r.encodePrettily());
      assertTrue(
          r.getJsonArray("steps").stream()
              .map(s -> (JsonObject) s)
              .filter(s -> s.getBoolean("rollback"))
              .allMatch(s -> s.getString("target").equals("brna0002,brnb0003")),
          "rollback steps target both starting heads: " + r.getJsonArray("steps").encodePrettily());
      for (String env : Topology.ENVS) {
        assertEquals("brna0002,brnb0003", sorted(t.heads(env)), env + " is back on both branches");
      }
    }
  }
}
