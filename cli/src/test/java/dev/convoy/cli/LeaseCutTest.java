package dev.convoy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.testkit.MigrationFiles;
import dev.convoy.testkit.TcpProxy;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * The leader reaches Redis through a proxy the test cuts for longer than the lease. Before its
 * lease's local deadline it stops: it sends and writes nothing with its epoch after it; the standby
 * (connected to Redis directly) takes over and the rollout ends once.
 */
@Isolated // leases are timed: a loaded machine starves processes
class LeaseCutTest {
  private static final long TTL_MS = 2000;

  @TempDir Path dir;
  @TempDir Path logs;

  private Process coordinator(Topology t, String id, int port, String redisUrl) throws Exception {
    return ChildConvoy.coordinator(t, logs, id, port, redisUrl, TTL_MS + "ms");
  }

  /** Polls {@code /health} until its {@code leader} is {@code leading}; null past the deadline. */
  private static JsonObject awaitLeader(int port, boolean leading, long withinMs) {
    long until = System.currentTimeMillis() + withinMs;
    while (System.currentTimeMillis() < until) {
      JsonObject h = ChildConvoy.get(port, "/health");
      if (h != null && h.getBoolean("leader", false) == leading) {
        return h;
      }
      Topology.sleep(20);
    }
    return null;
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
        int p1 = ChildConvoy.freePort();
        int p2 = ChildConvoy.freePort();
        Process first =
            coordinator(t, "first", p1, "redis://" + redis.getHost() + ":" + proxy.port());
        Process second = null;
        try {
          JsonObject h1 = awaitLeader(p1, true, 30_000);
          assertTrue(h1 != null, "the first leads:\n" + Topology.tail(logs.resolve("first.log")));
          long e1 = h1.getLong("epoch");
          second = coordinator(t, "second", p2, t.redisUrl);
          assertTrue(awaitLeader(p2, false, 30_000) != null, "the second stands by");
          for (String env : Topology.ENVS) {
            t.agents.add(t.agent(env, "agent-" + env));
          }
          long until = System.currentTimeMillis() + 30_000;
          while (ChildConvoy.get(p1, "/api/environments") != null
              && System.currentTimeMillis() < until
              && !ChildConvoy.get(p1, "/api/environments")
                  .encode()
                  .contains("\"alive\":true}]}]")) {
            Topology.sleep(100);
          }
          String id =
              ChildConvoy.startRollout(
                  p1,
                  new JsonObject()
                      .put("strategy", "per-environment")
                      .put(
                          "gates",
                          new JsonObject().put("staging", "soak:3s").put("prod", "soak:1s")));
          until = System.currentTimeMillis() + 30_000;
          while (!"cut00001".equals(t.heads("dev")) && System.currentTimeMillis() < until) {
            Topology.sleep(20);
          }
          assertEquals("cut00001", t.heads("dev"), "dev migrated under the first leader");
          long cutAt = System.currentTimeMillis();
          proxy.cut();
          // Its last renewal was sent before the cut: its deadline is at most a ttl later.
          JsonObject down = awaitLeader(p1, false, 10_000);
          long stoodDown = System.currentTimeMillis() - cutAt;
          assertTrue(
              down != null, "the first stood down:\n" + Topology.tail(logs.resolve("first.log")));
          // Observed through its HTTP API, which a loaded machine may answer late: the timestamps
          // below are
          // the proof.
          assertTrue(stoodDown <= TTL_MS + 1000, "stood down " + stoodDown + " ms after the cut");
          JsonObject h2 = awaitLeader(p2, true, 15_000);
          assertTrue(
              h2 != null, "the standby took over:\n" + Topology.tail(logs.resolve("second.log")));
          long e2 = h2.getLong("epoch");
          assertTrue(e2 > e1, e1 + " then " + e2);
          JsonObject r = null;
          until = System.currentTimeMillis() + 60_000;
          while (System.currentTimeMillis() < until) {
            r = ChildConvoy.get(p2, "/api/rollouts/" + id);
            if (r != null && RolloutView.ended(r.getString("state"))) {
              break;
            }
            Topology.sleep(100);
          }
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
          JsonObject back = awaitLeader(p1, false, 1000);
          assertTrue(
              back != null || ChildConvoy.get(p1, "/health").getLong("epoch") > e2,
              "the first, back in touch, stands by or leads a newer term");
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
