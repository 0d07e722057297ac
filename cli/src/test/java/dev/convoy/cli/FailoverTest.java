package dev.convoy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.testkit.MigrationFiles;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Two coordinator processes share one control database and Redis. The leader is killed (SIGKILL) in
 * the middle of a rollout; the standby takes the lease within its time, bumps the epoch and
 * finishes the rollout, and no step is applied twice.
 */
@Isolated // its leases and heartbeats are timed: a loaded machine starved its processes
class FailoverTest {
  @TempDir Path dir;
  @TempDir Path logs;

  private Process coordinator(Topology t, String id, int port) throws Exception {
    return ChildConvoy.coordinator(t, logs, id, port, t.redisUrl, "2s");
  }

  /** A second coordinator, started and answering /health (it stands by while the first leads). */
  private Process standby(Topology t, int port) throws Exception {
    Process p = coordinator(t, "second", port);
    long until = System.currentTimeMillis() + 30_000;
    while (ChildConvoy.get(port, "/health") == null && System.currentTimeMillis() < until) {
      Topology.sleep(100);
    }
    return p;
  }

  private static JsonObject awaitLeader(int port, long withinMs) {
    long until = System.currentTimeMillis() + withinMs;
    while (System.currentTimeMillis() < until) {
      JsonObject h = ChildConvoy.get(port, "/health");
      if (h != null && h.getBoolean("leader", false)) {
        return h;
      }
      Topology.sleep(50);
    }
    return null;
  }

  @Test
  void the_standby_takes_over_a_killed_leaders_rollout_and_no_step_runs_twice() throws Exception {
    MigrationFiles files = new MigrationFiles(dir);
    files.yaml(
        "fo000001",
        null,
        "  - op: create_table\n    table: item\n    columns:\n"
            + "      - {name: id, type: bigint, primary_key: true}\n");
    files.yaml(
        "fo000002",
        "fo000001",
        "  - op: add_column\n    table: item\n    column: {name: note, type: text}\n");
    try (Topology t = new Topology(dir)) {
      int p1 = ChildConvoy.freePort();
      int p2 = ChildConvoy.freePort();
      Process leader = coordinator(t, "first", p1);
      Process standby = null;
      try {
        JsonObject h1 = awaitLeader(p1, 30_000);
        assertTrue(
            h1 != null,
            "the first coordinator leads; its log:\n" + Topology.tail(logs.resolve("first.log")));
        standby = standby(t, p2);
        for (String env : Topology.ENVS) {
          t.agents.add(t.agent(env, "agent-" + env));
        }
        // Heartbeats reach both coordinators: the standby must know the agents to take over.
        ChildConvoy.awaitAgentsHeard(p1, Topology.ENVS.size());
        ChildConvoy.awaitAgentsHeard(p2, Topology.ENVS.size());
        // A soak before staging and prod keeps the rollout going long enough to kill its leader.
        String id =
            ChildConvoy.startRollout(
                p1,
                new JsonObject()
                    .put("strategy", "per-environment")
                    .put(
                        "gates",
                        new JsonObject().put("staging", "soak:2s").put("prod", "soak:1s")));
        long until = System.currentTimeMillis() + 30_000;
        while (!"fo000002".equals(t.heads("dev")) && System.currentTimeMillis() < until) {
          Topology.sleep(50);
        }
        assertEquals("fo000002", t.heads("dev"), "dev migrated under the first leader");
        long killedAt = System.currentTimeMillis();
        leader.destroyForcibly(); // SIGKILL: no lease release, no goodbye
        leader.waitFor(10, TimeUnit.SECONDS);
        JsonObject h2 = awaitLeader(p2, 10_000);
        long tookOver = System.currentTimeMillis() - killedAt;
        assertTrue(
            h2 != null,
            "the standby took the lease; its log:\n" + Topology.tail(logs.resolve("second.log")));
        assertTrue(tookOver <= 2000 + 1500, "took over in " + tookOver + " ms (lease 2 s)");
        assertTrue(h2.getLong("epoch") > h1.getLong("epoch"), h1 + " then " + h2);
        JsonObject r = null;
        until = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < until) {
          r = ChildConvoy.get(p2, "/api/rollouts/" + id);
          if (r != null && RolloutView.ended(r.getString("state"))) {
            break;
          }
          Topology.sleep(100);
        }
        assertEquals("succeeded", r.getString("state"), r.encodePrettily());
        for (String env : Topology.ENVS) {
          assertEquals("fo000002", t.heads(env), env);
          assertEquals(
              "1",
              t.dbs
                  .get(env)
                  .scalar(
                      "SELECT count(*) FROM convoy.history"
                          + " WHERE revision = 'fo000002' AND direction = 'upgrade' AND success"),
              env + ": applied exactly once");
        }
        assertEquals(
            List.of(h2.getLong("epoch")),
            List.of(
                Long.parseLong(t.dbs.get("prod").scalar("SELECT max(epoch) FROM convoy.history"))),
            "prod ran under the new term");
      } finally {
        leader.destroyForcibly();
        if (standby != null) {
          standby.destroy();
          standby.waitFor(10, TimeUnit.SECONDS);
        }
      }
    }
  }

  private static void signal(Process p, String sig) throws Exception {
    new ProcessBuilder("kill", "-" + sig, Long.toString(p.pid())).start().waitFor();
  }

  @Test
  void a_leader_paused_past_its_lease_comes_back_as_standby_and_sends_nothing() throws Exception {
    MigrationFiles files = new MigrationFiles(dir);
    files.yaml(
        "st000001",
        null,
        "  - op: create_table\n    table: item\n    columns:\n"
            + "      - {name: id, type: bigint, primary_key: true}\n");
    try (Topology t = new Topology(dir)) {
      int p1 = ChildConvoy.freePort();
      int p2 = ChildConvoy.freePort();
      Process first = coordinator(t, "first", p1);
      Process second = null;
      try {
        JsonObject h1 = awaitLeader(p1, 30_000);
        assertTrue(
            h1 != null,
            "the first coordinator leads; its log:\n" + Topology.tail(logs.resolve("first.log")));
        second = standby(t, p2); // running before the leader is paused
        for (String env : Topology.ENVS) {
          t.agents.add(t.agent(env, "agent-" + env));
        }
        ChildConvoy.awaitAgentsHeard(p1, Topology.ENVS.size());
        ChildConvoy.awaitAgentsHeard(p2, Topology.ENVS.size());
        String id =
            ChildConvoy.startRollout(
                p1,
                new JsonObject()
                    .put("strategy", "per-environment")
                    .put("gates", new JsonObject().put("staging", "soak:3s")));
        long until = System.currentTimeMillis() + 30_000;
        while (!"st000001".equals(t.heads("dev")) && System.currentTimeMillis() < until) {
          Topology.sleep(50);
        }
        signal(first, "STOP"); // a long GC pause, say: the lease runs out
        JsonObject h2 = awaitLeader(p2, 20_000);
        assertTrue(h2 != null, "the standby took the lease while the leader was paused");
        signal(first, "CONT");
        JsonObject r = null;
        until = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < until) {
          r = ChildConvoy.get(p2, "/api/rollouts/" + id);
          if (r != null && RolloutView.ended(r.getString("state"))) {
            break;
          }
          Topology.sleep(100);
        }
        assertEquals("succeeded", r.getString("state"), r.encodePrettily());
        JsonObject back = ChildConvoy.get(p1, "/health");
        assertEquals(false, back.getBoolean("leader"), "the resumed coordinator stood down");
        for (String env : List.of("staging", "prod")) {
          assertEquals(
              Long.toString(h2.getLong("epoch")),
              t.dbs
                  .get(env)
                  .scalar(
                      "SELECT string_agg(DISTINCT epoch::text, ',') FROM convoy.history"
                          + " WHERE plan_id = '"
                          + id
                          + "'"),
              env + " changed only under the new term");
        }
      } finally {
        signal(first, "CONT");
        first.destroyForcibly();
        if (second != null) {
          second.destroy();
          second.waitFor(10, TimeUnit.SECONDS);
        }
      }
    }
  }
}
