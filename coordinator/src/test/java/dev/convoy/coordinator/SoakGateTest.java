package dev.convoy.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.rollout.Signer;
import dev.convoy.testkit.MigrationFiles;
import dev.convoy.testkit.MovingClock;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Soak gates decide on the coordinator's clock: the driver (real control database and Redis) is
 * ticked by hand while the test moves the clock, so a ten-minute soak is checked to the millisecond
 * without waiting.
 */
class SoakGateTest {
  private static final Instant FINISHED = Instant.parse("2030-01-01T12:00:00Z");

  @TempDir Path dir;

  private ControlFixture f;
  private final MovingClock clock = MovingClock.at(FINISHED.minus(Duration.ofMinutes(1)));
  private Driver driver;
  private Rollouts rollouts;
  private long epoch;

  @BeforeEach
  void start() {
    MigrationFiles files = new MigrationFiles(dir);
    files.yaml(
        "soak0001",
        null,
        "  - op: create_table\n    table: item\n    columns:\n"
            + "      - {name: id, type: bigint, primary_key: true}\n");
    files.yaml(
        "soak0002",
        "soak0001",
        "  - op: add_column\n    table: item\n    column: {name: label, type: text, nullable:"
            + " false}\n    backfill: \"'item ' || id\"\n");
    f = new ControlFixture(dir);
    CoordinatorMetrics metrics = new CoordinatorMetrics(ControlFixture.ENVS);
    // The lease runs on its own (monotonic) clock, which this test never moves: it stays held.
    Lease lease = new Lease(f.redis, f.keys.leader(), "c1", 60_000, () -> 0L);
    assertTrue(lease.tryAcquire(), "the test's coordinator takes the lease");
    epoch = f.store.bumpEpoch("c1");
    rollouts = new Rollouts(f.store, ControlFixture.ENVS, clock);
    driver =
        new Driver(
            lease,
            "c1",
            f.store,
            f.redis,
            f.keys,
            new Signer("soak-gate-test-key"),
            ControlFixture.ENVS,
            metrics,
            clock,
            new RollbackGuard(f::graph, Map::of));
  }

  @AfterEach
  void stop() {
    f.close();
  }

  private String start(JsonObject request) {
    Map<String, List<String>> heads =
        Map.of("dev", List.of("soak0001"), "staging", List.of("soak0001"), "prod", List.of());
    return rollouts.create(RolloutRequest.of(request), f.graph(), heads);
  }

  /** Step {@code seq} finished (as its agent would have said) at {@code at}. */
  private void finished(String rollout, int seq, Instant at) {
    f.control.execute(
        "UPDATE convoy_control.steps SET state = 'succeeded', finished_at = '"
            + at
            + "' WHERE rollout_id = '"
            + rollout
            + "' AND seq = "
            + seq);
  }

  @Test
  void a_soak_of_10m_opens_exactly_when_the_clock_passes_10_minutes_after_the_stage_finished() {
    String id =
        start(
            new JsonObject()
                .put("strategy", "per-environment")
                .put("gates", new JsonObject().put("staging", "soak:10m")));
    driver.tick(epoch);
    assertEquals("sent", f.step(id, 1), "dev goes at once");
    finished(id, 1, FINISHED);
    clock.advanceTo(FINISHED.plus(Duration.ofMinutes(10)).minusMillis(1));
    driver.tick(epoch);
    assertEquals("pending", f.step(id, 2), "1 ms before the soak ran out");
    assertEquals(0, f.commands("staging"), "nothing sent to staging");
    assertEquals("running", rollouts.describe(id).getString("state"), "a soak is no visible wait");
    clock.advance(Duration.ofMillis(1));
    driver.tick(epoch);
    assertEquals("sent", f.step(id, 2), "exactly 10 minutes after dev finished");
    assertEquals(1, f.commands("staging"));
    assertEquals("pending", f.step(id, 3), "prod waits for staging");
  }

  @Test
  void a_soak_contract_gate_holds_the_deploy_window_until_the_clock_passes_it_and_says_how_long() {
    String id = start(new JsonObject().put("contract_gate", "soak:10m"));
    JsonObject r = rollouts.describe(id);
    List<Integer> expand =
        r.getJsonArray("steps").stream()
            .map(JsonObject.class::cast)
            .filter(s -> s.getString("phase").equals("expand"))
            .map(s -> s.getInteger("seq"))
            .toList();
    assertEquals(List.of(1, 2, 3), expand, r.encodePrettily());
    finished(id, 1, FINISHED.minus(Duration.ofMinutes(2)));
    finished(id, 2, FINISHED.minus(Duration.ofMinutes(1)));
    finished(id, 3, FINISHED); // the soak counts from the last expand
    clock.advanceTo(FINISHED.plus(Duration.ofMinutes(4)));
    driver.tick(epoch);
    r = rollouts.describe(id);
    assertEquals("waiting", r.getString("state"), r.encodePrettily());
    assertEquals("pending", f.step(id, 4));
    assertEquals(360.0, r.getJsonObject("waiting_for").getDouble("soak_remaining_seconds"));
    clock.advanceTo(FINISHED.plus(Duration.ofMinutes(10)).minusMillis(1));
    driver.tick(epoch);
    assertEquals("pending", f.step(id, 4), "1 ms before the soak ran out");
    assertEquals(0, f.commands("dev"));
    clock.advance(Duration.ofMillis(1));
    driver.tick(epoch);
    assertEquals("sent", f.step(id, 4), "the first contract step goes at 10 minutes");
    assertEquals(1, f.commands("dev"));
    assertEquals("running", rollouts.describe(id).getString("state"));
  }
}
