package dev.convoy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.testkit.MigrationFiles;
import dev.convoy.testkit.Poll;
import dev.convoy.testkit.TcpProxy;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * The leader reaches Redis through a proxy the test cuts for longer than the lease, while the
 * rollout waits at staging's approval; the approval comes right after the cut, so the cut-off
 * leader has work to do. Before its lease's local deadline it stops: it sends and writes nothing
 * with its epoch after it (the timestamps in the control database and the command streams are the
 * proof, not how fast it was seen to stop); the standby (connected to Redis directly) takes over
 * and the rollout ends once.
 */
@Isolated // child JVMs: keep other test classes from starving them
class LeaseCutTest {
  /**
   * Long enough that a loaded machine does not starve the leaders (renewed every third, deadline at
   * four fifths: a fifth, 2 s, of margin for a send checked before the deadline to reach Redis).
   */
  private static final long TTL_MS = 10_000;

  @TempDir Path dir;
  @TempDir Path logs;

  private ChildConvoy.Child coordinator(Topology t, String id, String redisUrl) throws Exception {
    return ChildConvoy.coordinator(t, logs, id, redisUrl, TTL_MS + "ms");
  }

  private JsonObject awaitLeader(int port, boolean leading, String id) {
    return ChildConvoy.awaitLeader(port, leading, logs.resolve(id + ".log"));
  }

  @Test
  void a_leader_cut_off_from_redis_stops_at_its_deadline_and_the_standby_ends_the_rollout_once()
      throws Exception {
    MigrationFiles files = new MigrationFiles(dir);
    files.yaml(
        "cut00001",
        null,
        "  - op: create_table\n    table: item\n    columns:\n"
            + "      - {name: id, type: bigint, primary_key: true}\n");
    try (Topology t = new Topology(dir)) {
      URI redis = URI.create(t.redisUrl);
      try (TcpProxy proxy = new TcpProxy(redis.getHost(), redis.getPort())) {
        ChildConvoy.Child one =
            coordinator(t, "first", "redis://" + redis.getHost() + ":" + proxy.port());
        Process first = one.process();
        int p1 = one.port();
        Process second = null;
        try {
          JsonObject h1 = awaitLeader(p1, true, "first");
          long e1 = h1.getLong("epoch");
          ChildConvoy.Child two = coordinator(t, "second", t.redisUrl);
          second = two.process();
          int p2 = two.port();
          awaitLeader(p2, false, "second");
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
                      .put("gates", new JsonObject().put("staging", "approval")));
          Poll.until(
              Duration.ofSeconds(120),
              "rollout " + id + " to wait at staging's approval",
              () -> ChildConvoy.get(p1, "/api/rollouts/" + id),
              x -> x != null && "waiting".equals(x.getString("state")));
          assertEquals("cut00001", t.heads("dev"), "dev migrated under the first leader");
          long cutAt = System.currentTimeMillis();
          proxy.cut();
          // Work for the cut-off leader: it may send staging's step before its deadline (the
          // command cannot reach Redis), never after.
          assertEquals(200, ChildConvoy.post(p1, "/api/rollouts/" + id + "/approve?env=staging"));
          // Its last renewal was sent before the cut: its deadline is at most a ttl later.
          awaitLeader(p1, false, "first");
          JsonObject h2 = awaitLeader(p2, true, "second");
          long e2 = h2.getLong("epoch");
          assertTrue(e2 > e1, e1 + " then " + e2);
          JsonObject r = ChildConvoy.awaitEnd(p2, id);
          proxy.restore(); // it may come back, but never with its old epoch
          assertEquals("succeeded", r.getString("state"), r.encodePrettily());
          long deadline = cutAt + TTL_MS;
          for (String env : Topology.ENVS) {
            assertEquals("cut00001", t.heads(env), env);
            assertEquals(
                "1",
                t.dbs
                    .get(env)
                    .scalar(
                        "SELECT count(*) FROM convoy.history WHERE revision = 'cut00001'"
                            + " AND direction = 'upgrade' AND success"),
                env + ": applied once");
          }
          // The control database: nothing sent or recorded with the old epoch after its deadline.
          assertEquals(
              0,
              t.control.count(
                  "SELECT count(*) FROM convoy_control.steps WHERE epoch = "
                      + e1
                      + " AND sent_at > to_timestamp("
                      + deadline / 1000.0
                      + ")"),
              "steps sent by epoch " + e1 + " after its deadline");
          assertEquals(
              0,
              t.control.count(
                  "SELECT count(*) FROM convoy_control.events WHERE type = 'step_sent'"
                      + " AND message LIKE '%epoch "
                      + e1
                      + "' AND at > to_timestamp("
                      + deadline / 1000.0
                      + ")"),
              "step_sent events of epoch " + e1 + " after its deadline");
          assertEquals(
              1,
              t.control.count(
                  "SELECT count(*) FROM convoy_control.events WHERE rollout_id = '"
                      + id
                      + "' AND type = 'rollout_succeeded'"),
              "the rollout ended once");
          // The command streams: every command of the old epoch was added before its deadline.
          Redis client = Redis.createClient(t.vertx, t.redisUrl);
          try {
            for (String env : Topology.ENVS) {
              Response entries =
                  client
                      .send(
                          Request.cmd(Command.XRANGE)
                              .arg("convoy:" + t.namespace + ":cmd:" + env)
                              .arg("-")
                              .arg("+"))
                      .await();
              for (Response entry : entries) {
                long addedAt = Long.parseLong(entry.get(0).toString().split("-")[0]);
                JsonObject c = new JsonObject(entry.get(1).get(1).toString());
                long epoch = c.getLong("epoch");
                assertTrue(
                    epoch != e1 || addedAt <= deadline,
                    env
                        + ": command of epoch "
                        + e1
                        + " added "
                        + (addedAt - cutAt)
                        + " ms after the cut");
                assertTrue(epoch == e1 || epoch >= e2, env + ": " + c);
              }
            }
          } finally {
            client.close();
          }
          JsonObject back =
              Poll.until(
                  Duration.ofSeconds(60),
                  "the first coordinator to answer /health",
                  () -> ChildConvoy.get(p1, "/health"),
                  h -> h != null);
          assertTrue(
              !back.getBoolean("leader") || back.getLong("epoch") > e2,
              "the first, back in touch, stands by or leads a newer term: " + back);
        } finally {
          first.destroyForcibly();
          first.waitFor(10, TimeUnit.SECONDS);
          if (second != null) {
            second.destroy();
            second.waitFor(10, TimeUnit.SECONDS);
          }
        }
      }
    }
  }
}
