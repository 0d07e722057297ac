package dev.convoy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.agent.db.DatabaseUrl;
import dev.convoy.agent.engine.EngineConfig;
import dev.convoy.agent.engine.MigrationListener;
import dev.convoy.agent.engine.Migrator;
import dev.convoy.agent.state.Who;
import dev.convoy.graph.RevisionGraph;
import dev.convoy.migration.MigrationDirectory;
import dev.convoy.phases.ExpandOrder;
import dev.convoy.testkit.ChainCorpus;
import dev.convoy.testkit.MigrationFiles;
import dev.convoy.testkit.SchemaSnapshot;
import dev.convoy.testkit.TestDatabase;
import dev.convoy.testkit.TestPostgres;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * The generated releases of {@link ChainCorpus}, each rolled out expand-first through two
 * environments by a real coordinator and agents: every environment ends in the schema and rows a
 * plain upgrade reaches, and the rollout has as many waves (deploy windows) as the plan cuts.
 */
@Isolated // long and CPU-bound: run alone, so it does not slow the timing-sensitive tests
class RolloutChainsTest {
  private static final List<String> ENVS = List.of("dev", "prod");

  @TempDir Path dir;

  private Migrator migrator(Topology t, TestDatabase db) {
    EngineConfig config =
        new EngineConfig(new DatabaseUrl(db.url()), "convoy", Duration.ofSeconds(2), Who.local());
    return new Migrator(t.vertx, config, MigrationDirectory.load(dir), MigrationListener.SILENT);
  }

  private void reset(Topology t, TestDatabase db) {
    db.execute(
        "SET client_min_messages = warning; DROP SCHEMA IF EXISTS convoy CASCADE;"
            + " DROP SCHEMA public CASCADE; CREATE SCHEMA public");
    migrator(t, db).upgrade(ChainCorpus.BASE);
  }

  private void clearVersions() throws IOException {
    try (Stream<Path> files = Files.list(dir.resolve("versions"))) {
      for (Path f : files.toList()) {
        Files.delete(f);
      }
    }
  }

  @Test
  void generated_chains_roll_out_expand_first_to_the_schema_a_plain_upgrade_reaches()
      throws IOException {
    MigrationFiles files = new MigrationFiles(dir);
    ChainCorpus.writeBase(files);
    List<ChainCorpus.Chain> corpus = ChainCorpus.generate(20261202L, 32);
    int split = 0;
    try (Topology t = new Topology(dir, ENVS);
        TestDatabase plain = TestPostgres.createDatabase("chains_plain")) {
      t.start();
      for (ChainCorpus.Chain chain : corpus) {
        clearVersions();
        List<String> ids = chain.write(files);
        RevisionGraph graph = MigrationDirectory.load(dir);
        int waves = ExpandOrder.waves(ids.stream().map(graph::get).toList()).size();
        reset(t, plain);
        migrator(t, plain).upgrade("head");
        for (String env : ENVS) {
          reset(t, t.dbs.get(env));
        }
        t.awaitHeads(ChainCorpus.BASE); // the plan starts from the heartbeats' heads
        String id = t.startRollout(new JsonObject().put("contract_gate", "auto"));
        JsonObject r = t.awaitEnd(id, Duration.ofSeconds(120));
        String what = chain.name() + " " + chain.revisions();
        assertEquals("succeeded", r.getString("state"), what + "\n" + r.encodePrettily());
        assertEquals(waves, r.getInteger("waves"), "one deploy window per wave: " + what);
        if (waves > 1) {
          assertEquals(waves - 1, r.getJsonArray("wave_cuts").size(), what);
          assertTrue(
              RolloutView.render(r).contains("waits for the contract of"),
              "status says why the release was cut: " + RolloutView.render(r));
        }
        String expected = SchemaSnapshot.of(plain);
        for (String env : ENVS) {
          assertEquals(expected, SchemaSnapshot.of(t.dbs.get(env)), env + ": " + what);
        }
        split += waves > 1 ? 1 : 0;
      }
    }
    assertTrue(split > 0, "some releases were cut into waves");
  }
}
