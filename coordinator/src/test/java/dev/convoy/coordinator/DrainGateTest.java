package dev.convoy.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.rollout.Event;
import dev.convoy.rollout.Signer;
import dev.convoy.rollout.VersionSessions;
import dev.convoy.testkit.MigrationFiles;
import dev.convoy.testkit.MovingClock;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The versions-drained gate decides on the coordinator's clock from the versions the agents report:
 * the driver (real control database and Redis) is ticked by hand while the test moves the clock and
 * hands the roster heartbeats, so a 30 s quiet time is checked to the millisecond without waiting.
 * Every rollout here goes from drain0001 and holds prod's contract step (seq 6) at the gate.
 */
class DrainGateTest {
  private static final Instant T0 = Instant.parse("2030-01-01T12:00:00Z");
  private static final int PROD_CONTRACT = 6;

  @TempDir Path dir;

  private ControlFixture f;
  private final MovingClock clock = MovingClock.at(T0);
  private Roster roster;
  private Driver driver;
  private Rollouts rollouts;
  private long epoch;

  @BeforeEach
  void start() {
    MigrationFiles files = new MigrationFiles(dir);
    files.yaml(
        "drain0001",
        null,
        "  - op: create_table\n    table: item\n    columns:\n"
            + "      - {name: id, type: bigint, primary_key: true}\n"
            + "      - {name: note, type: text}\n");
    files.yaml(
        "drain0002",
        "drain0001",
        "  - op: add_column\n    table: item\n    column: {name: label, type: text}\n");
    files.yaml(
        "drain0003", "drain0002", "  - op: create_index\n    table: item\n    columns: [label]\n");
    f = new ControlFixture(dir);
    Lease lease = new Lease(f.redis, f.keys.leader(), "c1", 60_000, () -> 0L);
    assertTrue(lease.tryAcquire(), "the test's coordinator takes the lease");
    epoch = f.store.bumpEpoch("c1");
    roster = new Roster(ControlFixture.ENVS, clock);
    DrainGate drain =
        new DrainGate(
            roster.versions(), f::graph, DrainGate.fromControl(f.store), Duration.ofSeconds(30));
    rollouts = new Rollouts(f.store, ControlFixture.ENVS, clock, roster, drain);
    driver =
        new Driver(
            lease,
            "c1",
            f.store,
            f.redis,
            f.keys,
            new Signer("drain-gate-test-key"),
            ControlFixture.ENVS,
            new CoordinatorMetrics(ControlFixture.ENVS),
            clock,
            new RollbackGuard(f::graph, Map::of),
            drain);
  }

  @AfterEach
  void stop() {
    f.close();
  }

  /** A rollout to {@code target} whose steps before prod's contract have all succeeded. */
  private String atProdContract(String target, String prodGate) {
    List<String> at = List.of("drain0001");
    String id =
        rollouts.create(
            RolloutRequest.of(
                new JsonObject()
                    .put("target", target)
                    .put("contract_gate", "auto")
                    .put("gates", new JsonObject().put("prod", prodGate))),
            f.graph(),
            Map.of("dev", at, "staging", at, "prod", at));
    assertEquals(1, rollouts.describe(id).getInteger("waves"), "one wave");
    f.control.execute(
        "UPDATE convoy_control.steps SET state = 'succeeded', finished_at = now() WHERE"
            + " rollout_id = '"
            + id
            + "' AND seq < "
            + PROD_CONTRACT);
    return id;
  }

  /** Prod's agent reports these sessions by revision (null: an agent that reports none). */
  private void report(Map<String, Integer> sessions) {
    Map<String, VersionSessions> versions = null;
    if (sessions != null) {
      versions = new HashMap<>();
      for (var e : sessions.entrySet()) {
        versions.put(e.getKey(), new VersionSessions("convoy_v_" + e.getKey(), e.getValue(), null));
      }
    }
    roster.heard(Event.heartbeat("agent-prod", "prod", List.of(), "d", null, versions));
  }

  /** Prod's agent reports {@code sessions} every second for {@code seconds}. */
  private void reportFor(int seconds, Map<String, Integer> sessions) {
    for (int i = 0; i < seconds; i++) {
      clock.advance(Duration.ofSeconds(1));
      report(sessions);
    }
  }

  private JsonObject waitingFor(String id) {
    return rollouts.describe(id).getJsonObject("waiting_for");
  }

  private String message(String id) {
    JsonObject w = waitingFor(id);
    return w == null ? null : w.getString("message");
  }

  @Test
  void the_contract_waits_while_an_old_version_has_sessions_then_for_the_quiet_time_then_goes() {
    String id = atProdContract("drain0002", "versions-drained:30s");
    report(Map.of("drain0001", 3, "drain0002", 2));
    driver.tick(epoch);
    assertEquals("pending", f.step(id, PROD_CONTRACT));
    assertEquals(0, f.commands("prod"), "nothing sent to prod");
    JsonObject r = rollouts.describe(id);
    assertEquals("waiting", r.getString("state"), r.encodePrettily());
    JsonObject w = r.getJsonObject("waiting_for");
    assertEquals("versions", w.getString("kind"), w.encodePrettily());
    assertEquals("prod", w.getString("env"));
    assertEquals("versions-drained:30s", w.getString("gate"));
    assertEquals(
        "waiting for versions to drain in prod: convoy_v_drain0001 has 3 sessions; quiet for 0s"
            + " of 30s",
        w.getString("message"));
    assertEquals(
        3, w.getJsonObject("old_versions").getJsonObject("drain0001").getInteger("sessions"));
    assertTrue(
        f.control
            .scalar(
                "SELECT string_agg(type || ':' || message, '|') FROM convoy_control.events WHERE"
                    + " rollout_id = '"
                    + id
                    + "'")
            .contains("waiting_for_versions:waiting for versions to drain in prod"),
        "the wait is in the event log");
    Instant lastSeen = clock.instant();

    reportFor(1, Map.of("drain0002", 2)); // the old application is gone; the new one stays
    driver.tick(epoch);
    assertEquals(
        "waiting for versions to drain in prod: no old version has sessions; quiet for 1s of 30s",
        message(id));
    reportFor(28, Map.of("drain0002", 2));
    clock.advanceTo(lastSeen.plus(Duration.ofSeconds(30)).minusMillis(1));
    report(Map.of("drain0002", 2));
    driver.tick(epoch);
    assertEquals("pending", f.step(id, PROD_CONTRACT), "1 ms before the quiet time is up");
    assertEquals("quiet for 29s of 30s", message(id).substring(message(id).indexOf("quiet")));
    clock.advance(Duration.ofMillis(1));
    driver.tick(epoch);
    assertEquals("sent", f.step(id, PROD_CONTRACT), "30 s after the old version was last seen");
    assertEquals(1, f.commands("prod"));
    assertEquals("running", rollouts.describe(id).getString("state"));
  }

  @Test
  void a_session_that_comes_back_starts_the_quiet_time_again() {
    String id = atProdContract("drain0002", "versions-drained:10s");
    report(Map.of());
    reportFor(9, Map.of());
    reportFor(1, Map.of("drain0001", 1)); // someone started the old application again
    reportFor(9, Map.of());
    driver.tick(epoch);
    assertEquals("pending", f.step(id, PROD_CONTRACT));
    assertTrue(message(id).endsWith("quiet for 9s of 10s"), message(id));
    reportFor(1, Map.of());
    driver.tick(epoch);
    assertEquals("sent", f.step(id, PROD_CONTRACT));
  }

  @Test
  void an_agent_that_never_reported_versions_or_went_silent_keeps_the_gate_closed_and_says_so() {
    String id = atProdContract("drain0002", "versions-drained:5s");
    driver.tick(epoch);
    assertEquals("pending", f.step(id, PROD_CONTRACT));
    assertTrue(
        message(id).contains("no agent of prod has reported its live versions"), message(id));
    report(null); // an agent from before the gate: heard, but says nothing about versions
    reportFor(60, null);
    driver.tick(epoch);
    assertEquals("pending", f.step(id, PROD_CONTRACT));
    assertTrue(
        message(id).contains("no agent of prod has reported its live versions"), message(id));

    reportFor(10, Map.of()); // an upgraded agent: quiet for 10 s, more than the 5 s asked
    clock.advance(Duration.ofSeconds(6)); // ... and then nothing for 6 s
    driver.tick(epoch);
    assertEquals("pending", f.step(id, PROD_CONTRACT), "a stale report proves nothing");
    assertEquals(
        "waiting for versions to drain in prod: the last report of prod's live versions is 6s old"
            + " (none within 5s): is its agent up?",
        message(id));
    report(Map.of()); // back: the gap may have hidden sessions, so the quiet starts again
    driver.tick(epoch);
    assertEquals("pending", f.step(id, PROD_CONTRACT));
    assertTrue(message(id).endsWith("quiet for 0s of 5s"), message(id));
    reportFor(5, Map.of());
    driver.tick(epoch);
    assertEquals("sent", f.step(id, PROD_CONTRACT));
  }

  @Test
  void versions_of_the_target_its_descendants_and_its_wave_pass_and_any_other_holds() {
    // To drain0003 from drain0001: drain0002 is a version this wave brought, drain0003 the target.
    String id = atProdContract("drain0003", "versions-drained:0");
    report(Map.of("drain0002", 4, "drain0003", 1, "zz_unknown", 1));
    driver.tick(epoch);
    assertEquals("pending", f.step(id, PROD_CONTRACT));
    assertEquals(
        "waiting for versions to drain in prod: convoy_v_zz_unknown has 1 session; quiet for 0s of"
            + " 0s",
        message(id),
        "a revision the coordinator does not know is not current");
    clock.advance(Duration.ofSeconds(1));
    report(Map.of("drain0002", 4, "drain0003", 1));
    driver.tick(epoch);
    assertEquals("sent", f.step(id, PROD_CONTRACT), "the wave's own versions do not hold it");
  }

  @Test
  void a_version_newer_than_the_target_does_not_hold_its_contract() {
    String id = atProdContract("drain0002", "versions-drained:0");
    report(Map.of("drain0003", 2));
    driver.tick(epoch);
    assertEquals("sent", f.step(id, PROD_CONTRACT), "drain0003 descends from the target");
  }
}
