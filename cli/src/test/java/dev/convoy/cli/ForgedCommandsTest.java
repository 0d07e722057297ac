package dev.convoy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.rollout.Command;
import dev.convoy.rollout.Signer;
import dev.convoy.rollout.Wire;
import dev.convoy.testkit.MigrationFiles;
import dev.convoy.testkit.Poll;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Commands written to an agent's stream by someone other than the leader (stale epoch, another key,
 * a different checksum) are refused saying why, with a real coordinator, agents, Redis and
 * PostgreSQL. Moved out of RolloutTest for size.
 */
class ForgedCommandsTest {
  @TempDir Path dir;

  private void migrations() {
    new MigrationFiles(dir)
        .yaml(
            "roll0001",
            null,
            "  - op: create_table\n    table: item\n    columns:\n"
                + "      - {name: id, type: bigint, primary_key: true}\n");
  }

  @Test
  void agents_refuse_forged_stale_and_unknown_commands_saying_why() throws Exception {
    migrations();
    try (Topology t = new Topology(dir)) {
      t.start();
      long epoch = t.coordinator.epoch();
      Redis redis = Redis.createClient(t.vertx, t.redisUrl);
      try {
        String stream = "convoy:" + t.namespace + ":cmd:dev";
        List<Command.Revision> revs =
            List.of(
                new Command.Revision(
                    "roll0001",
                    dev.convoy.migration.MigrationDirectory.load(dir).get("roll0001").checksum()));
        Signer signer = new Signer(Topology.KEY);
        // The fence learns the current epoch.
        send(
            redis,
            stream,
            new Command(
                    "p1",
                    1,
                    "dev",
                    epoch,
                    "upgrade",
                    "roll0001",
                    "all",
                    revs,
                    System.currentTimeMillis(),
                    false,
                    null)
                .signed(signer));
        send(
            redis,
            stream,
            new Command(
                    "p1",
                    2,
                    "dev",
                    epoch - 1,
                    "upgrade",
                    "roll0001",
                    "all",
                    revs,
                    System.currentTimeMillis(),
                    false,
                    null)
                .signed(signer));
        send(
            redis,
            stream,
            new Command(
                    "p1",
                    3,
                    "dev",
                    epoch,
                    "upgrade",
                    "roll0001",
                    "all",
                    revs,
                    System.currentTimeMillis(),
                    false,
                    null)
                .signed(new Signer("another-key-of-16-chars")));
        send(
            redis,
            stream,
            new Command(
                    "p1",
                    4,
                    "dev",
                    epoch,
                    "upgrade",
                    "roll0001",
                    "all",
                    List.of(new Command.Revision("roll0001", "0000")),
                    System.currentTimeMillis(),
                    false,
                    null)
                .signed(signer));
        String events =
            Poll.until(
                Duration.ofSeconds(60),
                "dev's agent to reject the three bad commands",
                () ->
                    redis
                        .send(
                            Request.cmd(io.vertx.redis.client.Command.XRANGE)
                                .arg("convoy:" + t.namespace + ":events")
                                .arg("-")
                                .arg("+"))
                        .await()
                        .toString(),
                e -> count(e, "\"rejected\"") >= 3);
        t.awaitHeadsIn("dev", "roll0001");
        assertTrue(
            events.contains("stale coordinator: the command carries epoch " + (epoch - 1)), events);
        assertTrue(events.contains("the signature does not verify"), events);
        assertTrue(events.contains("differs: the coordinator has checksum 0000"), events);
        assertEquals("roll0001", t.heads("dev"), "the valid command ran");
      } finally {
        redis.close();
      }
    }
  }

  private static void send(Redis redis, String stream, Command c) {
    redis
        .send(
            Request.cmd(io.vertx.redis.client.Command.XADD)
                .arg(stream)
                .arg("*")
                .arg("e")
                .arg(Wire.write(c)))
        .await();
  }

  private static int count(String s, String needle) {
    Matcher m = Pattern.compile(Pattern.quote(needle)).matcher(s);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }
}
