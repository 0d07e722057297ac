package dev.convoy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.testkit.MigrationFiles;
import dev.convoy.testkit.Poll;
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
    Poll.until(
        Duration.ofSeconds(60),
        "redis-server to listen on port " + port,
        () -> {
          try (Socket s = new Socket("127.0.0.1", port)) {
            return true;
          } catch (IOException e) {
            return false;
          }
        });
    return p;
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
      t.awaitHeadsIn("dev", "rr000002");
      long epochBefore = t.coordinator.epoch();
      redis.destroyForcibly();
      redis.waitFor(10, TimeUnit.SECONDS);
      // The outage lasts until the leader has noticed: it cannot renew its lease, so it stands
      // down at its deadline.
      Poll.until(
          Duration.ofSeconds(60),
          "the leader to stand down without Redis",
          () -> !t.coordinator.leader());
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
