package dev.convoy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.testkit.MigrationFiles;
import dev.convoy.testkit.Poll;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rollout state has one writer at a time: an API rollback racing the driver's completion ends in
 * exactly one legal outcome, and the control database refuses a second active rollout.
 */
class TransitionRaceTest {
  @TempDir Path dir;

  private static void migrations(Path dir) {
    new MigrationFiles(dir)
        .yaml(
            "race0001",
            null,
            "  - op: create_table\n    table: item\n    columns:\n"
                + "      - {name: id, type: bigint, primary_key: true}\n");
  }

  @Test
  void an_api_rollback_racing_the_drivers_completion_ends_in_exactly_one_legal_outcome() {
    migrations(dir);
    try (Topology t = new Topology(dir, List.of("dev")).start()) {
      List<String> outcomes = new ArrayList<>();
      for (int round = 0; round < 8; round++) {
        String id = t.startRollout(new JsonObject().put("strategy", "per-environment"));
        // Right as the step succeeds: the agent has recorded the new head, its 'succeeded' event
        // is on its way, and the driver is about to finish the rollout.
        Poll.until(
            Duration.ofSeconds(60), "dev at race0001", () -> "race0001".equals(t.heads("dev")));
        // Each round a little later, to land on both sides of the driver's decision and inside it.
        // Not a synchronisation: both outcomes are legal and checked; this only varies the race.
        long at = System.nanoTime() + round % 4 * 15_000_000L;
        while (System.nanoTime() < at) {
          Thread.onSpinWait();
        }
        HttpResponse<String> rollback =
            t.http("POST", "/api/rollouts/" + id + "/rollback", null, true);
        JsonObject end = t.awaitEnd(id, Duration.ofSeconds(120));
        String events =
            t.control.scalar(
                "SELECT string_agg(type, ',' ORDER BY id) FROM convoy_control.events"
                    + " WHERE rollout_id = '"
                    + id
                    + "'");
        String what = "round " + round + ": " + rollback.statusCode() + " " + rollback.body();
        if (rollback.statusCode() == 409) {
          // The driver decided first: the rollout succeeded and the rollback was refused, naming
          // the state it found.
          assertEquals("succeeded", end.getString("state"), what + "\n" + events);
          assertTrue(rollback.body().contains("is now succeeded"), what);
          assertEquals("race0001", t.heads("dev"), what);
          assertTrue(!events.contains("rollback_requested"), what + "\n" + events);
          // Put dev back for the next round: a rollback of a succeeded rollout is allowed.
          assertEquals(
              200, t.http("POST", "/api/rollouts/" + id + "/rollback", null, true).statusCode());
          end = t.awaitEnd(id, Duration.ofSeconds(120));
          assertEquals("rolled_back", end.getString("state"), end.encodePrettily());
        } else {
          // The rollback was recorded: it is never overwritten by the driver's 'succeeded'.
          assertEquals(200, rollback.statusCode(), what);
          assertEquals("rolled_back", end.getString("state"), what + "\n" + events);
          // (It may have succeeded first, and then been rolled back: both are recorded in order.)
          assertTrue(
              !events.substring(events.indexOf("rollback_requested")).contains("rollout_succeeded"),
              what + "\n" + events);
        }
        assertTrue(t.heads("dev") == null || t.heads("dev").isEmpty(), what + ": dev back at base");
        outcomes.add(
            rollback.statusCode()
                + (events.startsWith("rollout_started,step_sent,step_succeeded,rollout_succeeded")
                    ? " after success, "
                    : " before success, ")
                + end.getString("state"));
        awaitHeartbeatsAtBase(t);
      }
      System.out.println("race outcomes: " + outcomes);
    }
  }

  /** The next round plans from the agents' heartbeats: wait until they report base. */
  private static void awaitHeartbeatsAtBase(Topology t) {
    Poll.until(
        Duration.ofSeconds(60),
        "the agents to report base",
        () ->
            t.coordinator.environmentsView().stream()
                .flatMap(e -> ((JsonObject) e).getJsonArray("agents").stream())
                .allMatch(a -> ((JsonObject) a).getJsonArray("heads").isEmpty()));
  }

  @Test
  void a_second_start_while_a_rollout_is_active_is_refused_naming_the_active_one()
      throws Exception {
    migrations(dir);
    try (Topology t = new Topology(dir, List.of("dev", "prod")).start()) {
      String first =
          t.startRollout(
              new JsonObject()
                  .put("strategy", "per-environment")
                  .put("gates", new JsonObject().put("prod", "approval")));
      t.awaitRollout(first, "to wait at prod's approval", r -> Topology.state(r).equals("waiting"));
      HttpResponse<String> second = t.http("POST", "/api/rollouts", "{}", true);
      assertEquals(409, second.statusCode(), second.body());
      assertEquals(
          "rollout " + first + " is waiting; wait for it, or roll it back first",
          new JsonObject(second.body()).getString("error"));
      // The database, not the check before it, keeps it to one: active rows beside 'first' are
      // refused by the partial unique index.
      try {
        t.control.execute(
            "INSERT INTO convoy_control.rollouts (id, target, target_heads, strategy,"
                + " rollback_policy, state, start_heads, revisions) VALUES ('sneaky', 'head',"
                + " '[]', 'per-environment', 'all', 'running', '{}', '[]')");
        throw new AssertionError("a second active rollout was stored");
      } catch (RuntimeException e) {
        assertTrue(String.valueOf(e.getMessage()).contains("rollouts_one_active"), e.toString());
      }
      assertEquals(
          200, t.http("POST", "/api/rollouts/" + first + "/rollback", null, true).statusCode());
      assertEquals("rolled_back", t.awaitEnd(first, Duration.ofSeconds(120)).getString("state"));
      // Two starts at once once it has ended: exactly one is created.
      CompletableFuture<HttpResponse<String>> a =
          CompletableFuture.supplyAsync(() -> t.http("POST", "/api/rollouts", "{}", true));
      CompletableFuture<HttpResponse<String>> b =
          CompletableFuture.supplyAsync(() -> t.http("POST", "/api/rollouts", "{}", true));
      List<Integer> codes = new ArrayList<>(List.of(a.get().statusCode(), b.get().statusCode()));
      codes.sort(null);
      assertEquals(List.of(201, 409), codes, a.get().body() + "\n" + b.get().body());
    }
  }

  @Test
  void only_the_latest_rollout_can_be_rolled_back_since_an_older_one_would_undo_it_too() {
    migrations(dir);
    try (Topology t = new Topology(dir, List.of("dev")).start()) {
      String first = t.startRollout(new JsonObject().put("strategy", "per-environment"));
      assertEquals("succeeded", t.awaitEnd(first, Duration.ofSeconds(120)).getString("state"));
      new MigrationFiles(dir)
          .yaml(
              "race0002",
              "race0001",
              "  - op: create_table\n    table: other\n    columns:\n"
                  + "      - {name: id, type: bigint, primary_key: true}\n");
      t.awaitHeads("race0001");
      String second = t.startRollout(new JsonObject().put("strategy", "per-environment"));
      assertEquals("succeeded", t.awaitEnd(second, Duration.ofSeconds(120)).getString("state"));
      HttpResponse<String> old = t.http("POST", "/api/rollouts/" + first + "/rollback", null, true);
      assertEquals(409, old.statusCode(), old.body());
      assertTrue(old.body().contains("roll back " + second + " first"), old.body());
      assertEquals("race0002", t.heads("dev"), "the refused rollback changed nothing");
      assertEquals(
          200, t.http("POST", "/api/rollouts/" + second + "/rollback", null, true).statusCode());
      assertEquals("rolled_back", t.awaitEnd(second, Duration.ofSeconds(120)).getString("state"));
      assertEquals("race0001", t.heads("dev"));
    }
  }
}
