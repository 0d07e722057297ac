package dev.convoy.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.rollout.Signer;
import dev.convoy.testkit.MigrationFiles;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the coordinator's metrics say about a rollback that does not finish: it is counted when it
 * starts (ConvoyRollbackHappened fires for one that stalls or fails), and a rollback waiting at a
 * data-loss approval shows in convoy_rollout_waiting_seconds (ConvoyRolloutWaiting). The driver
 * (real control database and Redis) is ticked by hand; agents' answers are written as the events
 * would write them.
 */
class RollbackMetricsTest {
  @TempDir Path dir;

  private ControlFixture f;
  private CoordinatorMetrics metrics;
  private Driver driver;
  private Rollouts rollouts;
  private long epoch;

  @BeforeEach
  void start() {
    MigrationFiles files = new MigrationFiles(dir);
    files.yaml(
        "rbm00001",
        null,
        "  - op: create_table\n    table: item\n    columns:\n"
            + "      - {name: id, type: bigint, primary_key: true}\n");
    f = new ControlFixture(dir);
    metrics = new CoordinatorMetrics(ControlFixture.ENVS);
    Lease lease = new Lease(f.redis, f.keys.leader(), "c1", 60_000, () -> 0L);
    assertTrue(lease.tryAcquire(), "the test's coordinator takes the lease");
    epoch = f.store.bumpEpoch("c1");
    rollouts = new Rollouts(f.store, ControlFixture.ENVS, Clock.systemUTC());
    driver =
        new Driver(
            lease,
            "c1",
            f.store,
            f.redis,
            f.keys,
            new Signer("rollback-metrics-test-key"),
            ControlFixture.ENVS,
            metrics,
            Clock.systemUTC(),
            new RollbackGuard(f::graph, Map::of));
  }

  @AfterEach
  void stop() {
    f.close();
  }

  private void answered(String rollout, int seq, String state, String code) {
    f.control.execute(
        "UPDATE convoy_control.steps SET state = '"
            + state
            + "', finished_at = now(), heads = '[]'::jsonb"
            + (code == null ? "" : ", code = '" + code + "', message = 'would drop item'")
            + " WHERE rollout_id = '"
            + rollout
            + "' AND seq = "
            + seq);
  }

  private double metric(String name) {
    Matcher m =
        Pattern.compile("(?m)^" + Pattern.quote(name) + " ([0-9.E+-]+)$").matcher(metrics.scrape());
    assertTrue(m.find(), name + " served:\n" + metrics.scrape());
    return Double.parseDouble(m.group(1));
  }

  private int lastSeq(String rollout) {
    return Integer.parseInt(
        f.control.scalar(
            "SELECT max(seq) FROM convoy_control.steps WHERE rollout_id = '" + rollout + "'"));
  }

  @Test
  void a_rollback_that_waits_at_a_data_loss_gate_is_counted_and_its_wait_is_served() {
    String id =
        rollouts.create(
            RolloutRequest.of(new JsonObject().put("strategy", "per-environment")),
            f.graph(),
            Map.of("dev", List.of(), "staging", List.of(), "prod", List.of()));
    driver.tick(epoch);
    answered(id, 1, "failed", null);
    driver.tick(epoch);
    assertEquals("rolling_back", rollouts.describe(id).getString("state"));
    assertEquals(1.0, metric("convoy_rollbacks_total"), "counted when the rollback starts");

    driver.tick(epoch); // sends the rollback step
    answered(id, lastSeq(id), "failed", DataLossGate.CODE);
    driver.tick(epoch); // queues it again behind the data-loss gate
    driver.tick(epoch); // the gate holds it: the rollout waits
    assertEquals(
        "waiting", rollouts.describe(id).getString("state"), rollouts.describe(id).encode());
    assertEquals(1.0, metric("convoy_rollbacks_total"), "one rollback, counted once");

    f.control.execute(
        "UPDATE convoy_control.rollouts SET updated_at = now() - interval '2 hours' WHERE id = '"
            + id
            + "'");
    metrics.waiting(rollouts.waitingSeconds());
    double waited = metric("convoy_rollout_waiting_seconds");
    assertTrue(waited >= 7200 && waited < 7300, "waited two hours: " + waited);
  }

  @Test
  void no_rollout_waiting_serves_zero() {
    metrics.waiting(rollouts.waitingSeconds());
    assertEquals(0.0, metric("convoy_rollout_waiting_seconds"));
  }
}
