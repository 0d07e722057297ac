package dev.convoy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.testkit.MigrationFiles;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Redis (a server of the test's own, without persistence) dies in the middle of a rollout and comes
 * back empty: the coordinator retakes the lease under a new epoch, agents recreate their consumer
 * groups, unanswered steps are sent again, and the rollout finishes with every step applied once.
 */
class RedisRestartTest {
  @TempDir Path dir;

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static Process redis(int port) throws Exception {
    Process p =
        new ProcessBuilder(
                "redis-server",
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    long until = System.currentTimeMillis() + 10_000;
    while (System.currentTimeMillis() < until) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        return p;
      } catch (IOException e) {
        Topology.sleep(50);
      }
    }
    throw new AssertionError("redis-server did not start on port " + port);
  }

  @Test
  void a_rollout_survives_redis_restarting_empty_and_applies_nothing_twice() throws Exception {
    MigrationFiles files = new MigrationFiles(dir);
    files.yaml(
        "rr000001",
        null,
        "  - op: create_table\n    table: item\n    columns:\n"
            + "      - {name: id, type: bigint, primary_key: true}\n");
    files.yaml(
        "rr000002",
        "rr000001",
        "  - op: add_column\n    table: item\n    column: {name: note, type: text}\n");
    int port = freePort();
    Process redis = redis(port);
    try (Topology t = new Topology(dir, "redis://127.0.0.1:" + port)) {
      t.start();
      String id =
          t.startRollout(
              new JsonObject()
                  .put("strategy", "per-environment")
                  .put("gates", new JsonObject().put("staging", "soak:3s")));
      long until = System.currentTimeMillis() + 30_000;
      while (!"rr000002".equals(t.heads("dev")) && System.currentTimeMillis() < until) {
        Topology.sleep(50);
      }
      assertEquals("rr000002", t.heads("dev"));
      long epochBefore = t.coordinator.epoch();
      redis.destroyForcibly();
      redis.waitFor(10, TimeUnit.SECONDS);
      // The outage lasts until the leader has noticed: it cannot renew its lease, so it stands
      // down at its deadline.
      long down = System.currentTimeMillis() + 30_000;
      while (t.coordinator.leader() && System.currentTimeMillis() < down) {
        Topology.sleep(50);
      }
      assertFalse(t.coordinator.leader(), "the leader stood down without Redis");
      redis = redis(port); // back, and empty
      JsonObject r = t.awaitEnd(id, Duration.ofSeconds(120));
      assertEquals("succeeded", r.getString("state"), r.encodePrettily());
      assertTrue(t.coordinator.epoch() > epochBefore, "the lease was taken again, new epoch");
      for (String env : Topology.ENVS) {
        assertEquals("rr000002", t.heads(env), env);
        assertEquals(
            "1",
            t.dbs
                .get(env)
                .scalar(
                    "SELECT count(*) FROM convoy.history"
                        + " WHERE revision = 'rr000002' AND direction = 'upgrade' AND success"),
            env + ": applied exactly once");
      }
    } finally {
      redis.destroyForcibly();
    }
  }
}
