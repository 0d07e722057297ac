package dev.convoy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.testkit.MigrationFiles;
import dev.convoy.testkit.Poll;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * The agent working on prod's step is killed (SIGKILL); a second agent of prod takes the
 * unacknowledged command over from the consumer group and finishes it, and the revision is applied
 * exactly once.
 */
@Isolated // its leases and heartbeats are timed: a loaded machine starved its processes
class AgentTakeoverTest {
  @TempDir Path dir;
  @TempDir Path logs;

  @Test
  void a_standby_agent_takes_over_the_command_of_one_that_died() throws Exception {
    MigrationFiles files = new MigrationFiles(dir);
    files.yaml(
        "to000001",
        null,
        "  - op: create_table\n    table: item\n    columns:\n"
            + "      - {name: id, type: bigint, primary_key: true}\n");
    files.sql(
        "to000002",
        "to000001",
        SqlGate.WAIT + "; CREATE TABLE slow_done (id int);",
        "DROP TABLE slow_done;");
    try (Topology t = new Topology(dir)) {
      // dev and staging pass; prod's step stays running until the test opens its gate.
      SqlGate.create(t.dbs.get("dev"), true);
      SqlGate.create(t.dbs.get("staging"), true);
      SqlGate.create(t.dbs.get("prod"), false);
      t.coordinator = t.coordinator("c1");
      t.agents.add(t.agent("dev", "agent-dev"));
      t.agents.add(t.agent("staging", "agent-staging"));
      Process first =
          ChildConvoy.agent(t, logs.resolve("agent-prod-a.log"), "prod", "agent-prod-a");
      try {
        try {
          t.awaitAgents();
        } catch (AssertionError e) {
          throw new AssertionError(
              e.getMessage()
                  + "; agent-prod-a's log:\n"
                  + Topology.tail(logs.resolve("agent-prod-a.log")),
              e);
        }
        String id = t.startRollout(new JsonObject().put("strategy", "per-environment"));
        t.awaitRollout(id, "to run prod's step", AgentTakeoverTest::prodRunning);
        Poll.until(
            Duration.ofSeconds(60),
            "agent-prod-a's migration to wait at prod's gate",
            () -> SqlGate.waiting(t.dbs.get("prod")));
        first.destroyForcibly(); // SIGKILL mid-step, the command unacknowledged
        first.waitFor(10, TimeUnit.SECONDS);
        t.agents.add(t.agent("prod", "agent-prod-b"));
        SqlGate.open(t.dbs.get("prod"));
        JsonObject r = t.awaitEnd(id, Duration.ofSeconds(120));
        assertEquals("succeeded", r.getString("state"), r.encodePrettily());
        assertEquals("to000002", t.heads("prod"));
        assertEquals(
            "1",
            t.dbs
                .get("prod")
                .scalar(
                    "SELECT count(*) FROM convoy.history"
                        + " WHERE revision = 'to000002' AND direction = 'upgrade' AND success"),
            "applied exactly once");
        Redis redis = Redis.createClient(t.vertx, t.redisUrl);
        try {
          String events =
              redis
                  .send(
                      Request.cmd(Command.XRANGE)
                          .arg("convoy:" + t.namespace + ":events")
                          .arg("-")
                          .arg("+"))
                  .await()
                  .toString();
          assertTrue(
              events.contains(
                  "{\"type\":\"succeeded\",\"agent\":\"agent-prod-b\",\"env\":\"prod\""),
              "agent-prod-b answered prod's step: " + events);
        } finally {
          redis.close();
        }
      } finally {
        first.destroyForcibly();
      }
    }
  }

  private static boolean prodRunning(JsonObject r) {
    for (Object o : r.getJsonArray("steps")) {
      JsonObject s = (JsonObject) o;
      if (s.getString("env").equals("prod") && s.getString("state").equals("running")) {
        return true;
      }
    }
    return false;
  }
}
