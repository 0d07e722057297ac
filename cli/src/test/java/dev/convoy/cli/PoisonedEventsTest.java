package dev.convoy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.rollout.Event;
import dev.convoy.rollout.Signer;
import dev.convoy.rollout.Wire;
import dev.convoy.testkit.MigrationFiles;
import dev.convoy.testkit.Poll;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whoever can write to the events stream writes garbage, wrong types, events missing fields and
 * forged {@code failed} events for the step in flight, between and during rollouts, and unsigned
 * commands naming the step in flight (which the agents refuse with a signed {@code rejected}). The
 * coordinator skips and counts each one, and every rollout ends as it would have without them.
 */
class PoisonedEventsTest {
  @TempDir Path dir;

  private final Map<String, Integer> written = new LinkedHashMap<>();

  @Test
  void dozens_of_bad_entries_between_and_during_rollouts_are_skipped_and_every_rollout_succeeds()
      throws Exception {
    MigrationFiles files = new MigrationFiles(dir);
    files.yaml(
        "pois0001",
        null,
        "  - op: create_table\n    table: item\n    columns:\n"
            + "      - {name: id, type: bigint, primary_key: true}\n");
    try (Topology t = new Topology(dir).start()) {
      Redis redis = Redis.createClient(t.vertx, t.redisUrl);
      try {
        poison(t, redis, "none", 1); // before any rollout
        String first =
            t.startRollout(
                new JsonObject()
                    .put("target", "pois0001")
                    .put("strategy", "per-environment")
                    .put("gates", new JsonObject().put("staging", "soak:1s")));
        poison(t, redis, first, 1); // during: forged failures of the step in flight
        poison(t, redis, first, 2);
        JsonObject r = t.awaitEnd(first, Duration.ofSeconds(120));
        assertEquals("succeeded", r.getString("state"), r.encodePrettily());
        poison(t, redis, first, 3); // between
        files.yaml(
            "pois0002",
            "pois0001",
            "  - op: add_column\n    table: item\n    column: {name: note, type: text}\n"
                + "  - op: sql\n    up: \""
                + SqlGate.WAIT
                + "\"\n    down: SELECT 1\n");
        // dev and staging pass; prod's step stays running until the test opens its gate.
        SqlGate.create(t.dbs.get("dev"), true);
        SqlGate.create(t.dbs.get("staging"), true);
        SqlGate.create(t.dbs.get("prod"), false);
        String second =
            t.startRollout(
                new JsonObject()
                    .put("strategy", "expand-first")
                    .put("contract_gate", "auto")
                    .put("gates", new JsonObject().put("prod", "soak:1s")));
        poison(t, redis, second, 1);
        refusalOfStepInFlight(t, redis, second, "prod");
        SqlGate.open(t.dbs.get("prod"));
        poison(t, redis, second, 4);
        r = t.awaitEnd(second, Duration.ofSeconds(120));
        assertEquals("succeeded", r.getString("state"), r.encodePrettily());
        for (String env : Topology.ENVS) {
          assertEquals("pois0002", t.heads(env), env);
        }
        assertEquals(
            0,
            t.control.count(
                "SELECT count(*) FROM convoy_control.events WHERE type IN ('step_failed',"
                    + " 'rollback_started')"),
            "no forged failure was believed");
        int total = written.values().stream().mapToInt(Integer::intValue).sum();
        assertTrue(total >= 48, "dozens of bad entries: " + total);
        String metrics =
            Poll.until(
                Duration.ofSeconds(60),
                "convoy_events_rejected_total to count every bad entry by reason " + written,
                () -> t.http("GET", "/metrics", null, false).body(),
                m -> counts(m).equals(written));
        assertEquals(written, counts(metrics), "convoy_events_rejected_total by reason");
      } finally {
        redis.close();
      }
    }
  }

  /**
   * While {@code env}'s step is running, the answer an agent gives to an unsigned command naming
   * that step: a properly signed {@code rejected} with code {@code bad_signature}. It speaks about
   * the entry, not the step, so the step must go on.
   */
  private void refusalOfStepInFlight(Topology t, Redis redis, String rollout, String env) {
    JsonObject running =
        Poll.until(
            Duration.ofSeconds(120),
            "a step of " + env + " to run",
            () ->
                t.rollout(rollout).getJsonArray("steps").stream()
                    .map(JsonObject.class::cast)
                    .filter(
                        s ->
                            s.getString("env").equals(env)
                                && s.getString("state").equals("running"))
                    .findFirst());
    Event refusal =
        new Event(
            Event.REJECTED,
            "agent-" + env,
            env,
            rollout,
            running.getInteger("seq"),
            running.getLong("epoch"),
            List.of(),
            null,
            "the signature does not verify",
            null,
            null,
            null,
            System.currentTimeMillis(),
            "bad_signature",
            null,
            null);
    redis
        .send(
            Request.cmd(Command.XADD)
                .arg("convoy:" + t.namespace + ":events")
                .arg("*")
                .arg("e")
                .arg(Wire.write(refusal.signed(new Signer(Topology.KEY)))))
        .await();
  }

  /** Writes one batch of bad entries (each reason at least once) to the events stream. */
  private void poison(Topology t, Redis redis, String plan, int step) {
    long now = System.currentTimeMillis();
    long epoch = t.coordinator.epoch();
    Event forged =
        new Event(
            Event.FAILED,
            "agent-dev",
            "dev",
            plan,
            step,
            epoch,
            List.of(),
            null,
            "forged failure",
            null,
            null,
            0.1,
            now,
            null,
            null,
            null);
    add(t, redis, "malformed", "e", "garbage \u0000\u00ff not json");
    add(t, redis, "malformed", "e", "{\"type\": \"failed\", \"step\": \"one\"");
    add(t, redis, "malformed", "e", "{\"type\": \"failed\", \"step\": \"one\", \"sentAt\": 1}");
    add(t, redis, "malformed", "e", "[\"failed\"]");
    add(t, redis, "missing_field", "x", Wire.write(forged));
    add(t, redis, "missing_field", "e", "{}");
    add(
        t,
        redis,
        "missing_field",
        "e",
        new JsonObject(Wire.write(forged)).putNull("plan").encode());
    add(
        t,
        redis,
        "unknown",
        "e",
        new JsonObject(Wire.write(forged)).put("type", "exploded").encode());
    add(t, redis, "unknown", "e", new JsonObject(Wire.write(forged)).put("env", "qa").encode());
    add(t, redis, "unsigned", "e", Wire.write(forged));
    add(
        t,
        redis,
        "bad_signature",
        "e",
        Wire.write(forged.signed(new Signer("not-the-coordinators-key"))));
    Event old =
        new Event(
            Event.FAILED,
            "agent-dev",
            "dev",
            plan,
            step,
            epoch,
            List.of(),
            null,
            "an old one",
            null,
            null,
            0.1,
            now - Duration.ofMinutes(11).toMillis(),
            null,
            null,
            null);
    add(t, redis, "out_of_date", "e", Wire.write(old.signed(new Signer(Topology.KEY))));
    Event nul =
        new Event(
            Event.FAILED,
            "agent-dev",
            "dev",
            plan,
            step,
            epoch,
            List.of(),
            null,
            "a\u0000b",
            null,
            null,
            0.1,
            now,
            null,
            null,
            null);
    // Signed with the real key, yet PostgreSQL could never store it: refused, not retried.
    add(t, redis, "malformed", "e", Wire.write(nul.signed(new Signer(Topology.KEY))));
    // An unsigned command naming the step in flight: the agent refuses it with a signed
    // 'rejected' event for that very step, which must not fail the step.
    for (String env : Topology.ENVS) {
      redis
          .send(
              Request.cmd(Command.XADD)
                  .arg("convoy:" + t.namespace + ":cmd:" + env)
                  .arg("*")
                  .arg("e")
                  .arg(
                      Wire.write(
                          new dev.convoy.rollout.Command(
                              plan,
                              step,
                              env,
                              epoch,
                              "downgrade",
                              "base",
                              "all",
                              List.of(),
                              now,
                              true,
                              "forged"))))
          .await();
    }
  }

  private void add(Topology t, Redis redis, String reason, String field, String value) {
    redis
        .send(
            Request.cmd(Command.XADD)
                .arg("convoy:" + t.namespace + ":events")
                .arg("*")
                .arg(field)
                .arg(value))
        .await();
    written.merge(reason, 1, Integer::sum);
  }

  private static Map<String, Integer> counts(String metrics) {
    Map<String, Integer> out = new LinkedHashMap<>();
    Matcher m =
        Pattern.compile("convoy_events_rejected_total\\{reason=\"([a-z_]+)\",?\\} ([0-9.]+)")
            .matcher(metrics);
    while (m.find()) {
      int n = (int) Double.parseDouble(m.group(2));
      if (n > 0) {
        out.put(m.group(1), n);
      }
    }
    return out;
  }
}
