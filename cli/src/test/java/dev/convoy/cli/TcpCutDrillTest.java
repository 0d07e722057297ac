package dev.convoy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.convoy.testkit.TcpProxy;
import dev.convoy.testkit.TestDatabase;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault drill: an agent (a real {@code convoy agent} process) reaches its PostgreSQL through a TCP
 * proxy that the test cuts in the middle of a backfill (every connection dropped, new ones refused)
 * and restores a few seconds later. The agent resumes the step once it can connect again: the
 * rollout finishes and every row is filled once.
 */
class TcpCutDrillTest {
  private static final int ROWS = 50_000;

  /** How long the database stays unreachable once the agent's sessions are gone. */
  private static final long OUTAGE_MS = 3000;

  @TempDir Path dir;
  @TempDir Path logs;

  private String log() {
    return "agent log:\n" + Topology.tail(logs.resolve("agent.log"));
  }

  @Test
  void the_agents_database_connection_cut_mid_backfill_and_restored_lets_the_rollout_finish()
      throws Exception {
    BackfillDrill.migrations(dir);
    try (Topology t = new Topology(dir, java.util.List.of("dev"))) {
      TestDatabase db = t.dbs.get("dev");
      URI server = URI.create(db.url());
      try (TcpProxy proxy = new TcpProxy(server.getHost(), server.getPort())) {
        Process agent =
            Drills.agent(
                t,
                logs.resolve("agent.log"),
                "dev",
                Drills.via(db.url(), proxy.port()),
                "--max-rows-per-second",
                "8000");
        try {
          t.coordinator = t.coordinator("c1");
          t.awaitAgents();
          BackfillDrill.seed(t, ROWS, this::log);
          String id = t.startRollout(new JsonObject().put("contract_gate", "auto"));
          BackfillDrill.awaitRows(db, ROWS / 5, this::log);
          proxy.cut();
          long doneAtCut = BackfillDrill.rowsDone(db);
          // The server ends the agent's sessions once it notices their sockets closed (a batch
          // it was running still commits, with its cursor).
          Drills.await(
              "every session of the agent ends",
              Duration.ofSeconds(60),
              () ->
                  db.count(
                          "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                              + " AND application_name LIKE 'convoy %'")
                      == 0,
              this::log);
          // The outage itself (not a wait for anything): the agent meets refused connections.
          Thread.sleep(OUTAGE_MS);
          proxy.restore();
          JsonObject r = t.awaitEnd(id, Duration.ofSeconds(120));
          assertEquals("succeeded", r.getString("state"), r.encodePrettily() + "\n" + log());
          BackfillDrill.assertFilledOnce(t, ROWS);
          assertEquals(
              true,
              doneAtCut < ROWS,
              "the cut came before the backfill finished (" + doneAtCut + " rows done)");
          Drills.assertNoStackTrace(logs.resolve("agent.log"));
        } finally {
          agent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      }
    }
  }

  @Test
  void a_cut_while_the_server_still_runs_a_batch_resumes_after_that_batch_and_fills_no_row_twice()
      throws Exception {
    // Batches of 1,000 rows that run 4 s each on the server: the cut finds one running, and the
    // server finishes it after the agent is gone (and may commit it with its cursor).
    int rows = 3000;
    BackfillDrill.slowMigrations(dir);
    try (Topology t = new Topology(dir, java.util.List.of("dev"))) {
      TestDatabase db = t.dbs.get("dev");
      URI server = URI.create(db.url());
      try (TcpProxy proxy = new TcpProxy(server.getHost(), server.getPort())) {
        Process agent =
            Drills.agent(
                t,
                logs.resolve("agent.log"),
                "dev",
                Drills.via(db.url(), proxy.port()),
                "--batch-time",
                "4s",
                "--backfill-workers",
                "1");
        try {
          t.coordinator = t.coordinator("c1");
          t.awaitAgents();
          BackfillDrill.seed(t, rows, this::log);
          String id = t.startRollout(new JsonObject().put("contract_gate", "auto"));
          BackfillDrill.awaitRows(db, 1, this::log);
          // Right after a batch commits the next one starts: cut then, with ~4 s of it to run.
          long committed = BackfillDrill.rowsDone(db);
          Drills.await(
              "the next batch commits",
              Duration.ofSeconds(60),
              () -> BackfillDrill.rowsDone(db) > committed,
              this::log);
          String batch =
              Drills.AGENT_WORK + " AND state = 'active' AND query LIKE '%upd AS (UPDATE%'";
          Drills.await(
              "the following batch runs on the server",
              Duration.ofSeconds(60),
              () -> Drills.backend(db, batch) != 0,
              this::log);
          int running = Drills.backend(db, batch);
          proxy.cut();
          proxy.restore(); // a blip: the agent may reconnect while that batch still runs
          Drills.await(
              "the server ends the batch's session",
              Duration.ofSeconds(60),
              () -> !Drills.alive(db, running),
              this::log);
          JsonObject r = t.awaitEnd(id, Duration.ofSeconds(120));
          assertEquals("succeeded", r.getString("state"), r.encodePrettily() + "\n" + log());
          BackfillDrill.assertFilledOnce(t, rows);
          Drills.assertNoStackTrace(logs.resolve("agent.log"));
        } finally {
          agent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      }
    }
  }
}
