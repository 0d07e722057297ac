package dev.convoy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.testkit.MigrationFiles;
import dev.convoy.testkit.Poll;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Two coordinator processes share one control database and Redis. The leader is killed (SIGKILL) or
 * paused (SIGSTOP) in the middle of a rollout, while it waits at staging's approval gate; the
 * standby takes the lease, bumps the epoch and finishes the rollout, and no step is applied twice.
 * The rollout waits at an approval (given through the standby once it leads) rather than a soak, so
 * what runs under which term does not depend on how fast this machine reacts. How fast a standby
 * takes over is the lease's business, tested by moving its clock (LeaseLoopTest).
 */
@Isolated // child JVMs: keep other test classes from starving them
class FailoverTest {
  /**
   * Long enough that a loaded machine does not starve a leader past its deadline (renewed every
   * third, deadline at four fifths), short enough that a takeover stays quick.
   */
  private static final String LEASE_TTL = "10s";

  @TempDir Path dir;
  @TempDir Path logs;

  private ChildConvoy.Child coordinator(Topology t, String id) throws Exception {
    return ChildConvoy.coordinator(t, logs, id, t.redisUrl, LEASE_TTL);
  }

  private JsonObject awaitLeader(int port, String id) {
    return ChildConvoy.awaitLeader(port, true, logs.resolve(id + ".log"));
  }

  /** A second coordinator, started and answering /health (it stands by while the first leads). */
  private ChildConvoy.Child standby(Topology t) throws Exception {
    ChildConvoy.Child c = coordinator(t, "second");
    ChildConvoy.awaitLeader(c.port(), false, logs.resolve("second.log"));
    return c;
  }

  /** The leader, a standby and an agent per environment heard by both; a rollout waiting. */
  private String rolloutWaitingAtStaging(Topology t, int p1, int p2) throws Exception {
    for (String env : Topology.ENVS) {
      t.agents.add(t.agent(env, "agent-" + env));
    }
    // Heartbeats reach both coordinators: the standby must know the agents to take over.
    ChildConvoy.awaitAgentsHeard(p1, Topology.ENVS.size());
    ChildConvoy.awaitAgentsHeard(p2, Topology.ENVS.size());
    String id =
        ChildConvoy.startRollout(
            p1,
            new JsonObject()
                .put("strategy", "per-environment")
                .put("gates", new JsonObject().put("staging", "approval")));
    JsonObject r =
        Poll.until(
            Duration.ofSeconds(120),
            "rollout " + id + " to wait at staging's approval",
            () -> ChildConvoy.get(p1, "/api/rollouts/" + id),
            x -> x != null && "waiting".equals(x.getString("state")));
    assertEquals(List.of("done", "pending", "pending"), Topology.states(r).getList());
    return id;
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
      ChildConvoy.Child first = coordinator(t, "first");
      Process leader = first.process();
      int p1 = first.port();
      Process standby = null;
      try {
        JsonObject h1 = awaitLeader(p1, "first");
        ChildConvoy.Child second = standby(t);
        standby = second.process();
        int p2 = second.port();
        String id = rolloutWaitingAtStaging(t, p1, p2);
        assertEquals("fo000002", t.heads("dev"), "dev migrated under the first leader");
        leader.destroyForcibly(); // SIGKILL: no lease release, no goodbye
        leader.waitFor(10, TimeUnit.SECONDS);
        JsonObject h2 = awaitLeader(p2, "second");
        assertTrue(h2.getLong("epoch") > h1.getLong("epoch"), h1 + " then " + h2);
        assertEquals(200, ChildConvoy.post(p2, "/api/rollouts/" + id + "/approve?env=staging"));
        JsonObject r = ChildConvoy.awaitEnd(p2, id);
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
        for (String env : List.of("staging", "prod")) {
          assertEquals(
              Long.toString(h2.getLong("epoch")),
              t.dbs
                  .get(env)
                  .scalar("SELECT string_agg(DISTINCT epoch::text, ',') FROM convoy.history"),
              env + " ran under the new term");
        }
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
      ChildConvoy.Child one = coordinator(t, "first");
      Process first = one.process();
      int p1 = one.port();
      Process second = null;
      try {
        JsonObject h1 = awaitLeader(p1, "first");
        ChildConvoy.Child two = standby(t); // running before the leader is paused
        second = two.process();
        int p2 = two.port();
        String id = rolloutWaitingAtStaging(t, p1, p2);
        signal(first, "STOP"); // a long GC pause, say: the lease runs out
        JsonObject h2 = awaitLeader(p2, "second");
        assertTrue(h2.getLong("epoch") > h1.getLong("epoch"), h1 + " then " + h2);
        signal(first, "CONT");
        // Back, past its deadline: it stands down and finds the lease taken.
        Poll.until(
            Duration.ofSeconds(120),
            "the resumed coordinator to stand down (epoch -1)",
            () -> ChildConvoy.get(p1, "/health"),
            h -> h != null && !h.getBoolean("leader") && h.getLong("epoch") == -1);
        assertEquals(200, ChildConvoy.post(p2, "/api/rollouts/" + id + "/approve?env=staging"));
        JsonObject r = ChildConvoy.awaitEnd(p2, id);
        assertEquals("succeeded", r.getString("state"), r.encodePrettily());
        assertEquals(
            false, ChildConvoy.get(p1, "/health").getBoolean("leader"), "and stays standing by");
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
