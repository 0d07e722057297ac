package dev.convoy.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.convoy.testkit.MigrationFiles;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stage shows the revision its database is at, as its agent last reported it: after a step over
 * three revisions fails at the third, the first two are applied and the stage says so.
 */
class StageRevisionTest {
  @TempDir Path dir;

  private ControlFixture f;
  private Rollouts rollouts;
  private String id;

  @BeforeEach
  void start() {
    MigrationFiles files = new MigrationFiles(dir);
    files.yaml(
        "r13a0001",
        null,
        "  - op: create_table\n    table: item\n    columns:\n"
            + "      - {name: id, type: bigint, primary_key: true}\n"
            + "      - {name: qty, type: int}\n");
    files.yaml(
        "r13a0002",
        "r13a0001",
        "  - op: add_column\n    table: item\n    column: {name: label, type: text, nullable:"
            + " false}\n    backfill: \"'item ' || id\"\n");
    files.yaml(
        "r13a0003",
        "r13a0002",
        "  - op: add_check\n    table: item\n    name: item_qty_positive\n"
            + "    check: qty > 0\n");
    f = new ControlFixture(dir);
    rollouts = new Rollouts(f.store, ControlFixture.ENVS, Clock.systemUTC());
    Map<String, List<String>> base =
        Map.of("dev", List.of(), "staging", List.of(), "prod", List.of());
    id =
        rollouts.create(
            RolloutRequest.of(new JsonObject().put("strategy", "per-environment")),
            f.graph(),
            base);
  }

  @AfterEach
  void stop() {
    f.close();
  }

  /** Every step of {@code env} in the rollout finished with {@code state} and {@code heads}. */
  private void finished(String env, String state, String heads) {
    f.control.execute(
        "UPDATE convoy_control.steps SET state = '"
            + state
            + "', finished_at = now(), heads = '"
            + heads
            + "'::jsonb WHERE rollout_id = '"
            + id
            + "' AND env = '"
            + env
            + "' AND NOT rollback");
  }

  private JsonObject stage(String env) {
    for (Object o : rollouts.describe(id).getJsonArray("stages")) {
      JsonObject s = (JsonObject) o;
      if (s.getString("env").equals(env)) {
        return s;
      }
    }
    throw new AssertionError("no stage " + env);
  }

  @Test
  void a_stage_whose_step_failed_at_the_third_revision_shows_the_second_as_its_revision() {
    finished("dev", "succeeded", "[\"r13a0003\"]");
    finished("staging", "succeeded", "[\"r13a0003\"]");
    finished("prod", "failed", "[\"r13a0002\"]");
    JsonObject prod = stage("prod");
    assertEquals("failed", prod.getString("state"), prod.encode());
    assertEquals(new JsonArray().add("r13a0002"), prod.getJsonArray("revision"), prod.encode());
    assertEquals(new JsonArray().add("r13a0003"), stage("staging").getJsonArray("revision"));
  }

  @Test
  void a_failed_step_whose_agent_could_not_read_its_heads_leaves_the_stage_where_it_was() {
    finished("prod", "failed", "[]");
    assertEquals(new JsonArray(), stage("prod").getJsonArray("revision"), "still its start: base");
  }
}
