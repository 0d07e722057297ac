package dev.convoy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.testkit.MigrationFiles;
import dev.convoy.testkit.TestDatabase;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault drill: the PostgreSQL backend an agent (a real {@code convoy agent} process) works on is
 * ended with {@code pg_terminate_backend} in the middle of a revision's DDL or of a backfill. The
 * agent resumes the step on a new connection once the database answers: the rollout succeeds, the
 * revision is applied once, no row is lost and none is filled twice.
 */
class TerminatedBackendDrillTest {
  private static final Duration MINUTE = Duration.ofSeconds(60);

  @TempDir Path dir;
  @TempDir Path logs;

  private Process agent(Topology t, String... engine) throws Exception {
    Process p = Drills.agent(t, logs.resolve("agent.log"), "dev", t.dbs.get("dev").url(), engine);
    t.coordinator = t.coordinator("c1");
    try {
      t.awaitAgents();
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "\n" + log(), e);
    }
    return p;
  }

  private String log() {
    return "agent log:\n" + Topology.tail(logs.resolve("agent.log"));
  }

  private JsonObject end(Topology t, String id) {
    return t.awaitEnd(id, Duration.ofSeconds(120));
  }

  @Test
  void a_backend_terminated_mid_ddl_is_retried_and_the_revision_takes_effect_once()
      throws Exception {
    MigrationFiles files = new MigrationFiles(dir);
    files.sql(
        "tb000001", null, "CREATE TABLE drill_log (what text NOT NULL);", "DROP TABLE drill_log;");
    files.sql(
        "tb000002",
        "tb000001",
        "INSERT INTO drill_log VALUES ('tb000002'); SELECT pg_sleep(4);"
            + " CREATE TABLE made_by_tb000002 (id int);",
        "DROP TABLE made_by_tb000002; DELETE FROM drill_log WHERE what = 'tb000002';");
    try (Topology t = new Topology(dir, java.util.List.of("dev"))) {
      Process agent = agent(t);
      try {
        TestDatabase db = t.dbs.get("dev");
        String id = t.startRollout(new JsonObject().put("strategy", "per-environment"));
        String sleeping = Drills.AGENT_WORK + " AND state = 'active' AND query LIKE '%pg_sleep%'";
        Drills.await(
            "the agent's revision runs its DDL transaction",
            MINUTE,
            () -> Drills.backend(db, sleeping) != 0,
            this::log);
        int first = Drills.backend(db, sleeping);
        Drills.terminate(db, first);
        JsonObject r = end(t, id);
        assertEquals("succeeded", r.getString("state"), r.encodePrettily() + "\n" + log());
        assertEquals("tb000002", t.heads("dev"));
        assertEquals(
            1,
            db.count("SELECT count(*) FROM drill_log WHERE what = 'tb000002'"),
            "the revision's insert took effect once");
        assertEquals("made_by_tb000002", db.scalar("SELECT to_regclass('made_by_tb000002')::text"));
        assertEquals(1, Drills.applied(db, "tb000002", "applied"), Drills.history(db));
        assertEquals(1, Drills.applied(db, "tb000001", "applied"), Drills.history(db));
        assertEquals("", Drills.ledgerRepeats(db));
        assertEquals(
            "succeeded", db.scalar("SELECT string_agg(DISTINCT state, ',') FROM convoy.ledger"));
        assertTrue(
            java.nio.file.Files.readString(logs.resolve("agent.log")).contains("resum"), log());
        Drills.assertNoStackTrace(logs.resolve("agent.log"));
      } finally {
        agent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void a_backend_terminated_while_expand_waits_for_a_lock_resumes_the_revision_once()
      throws Exception {
    MigrationFiles files = new MigrationFiles(dir);
    files.yaml(
        "lk000001",
        null,
        "  - op: create_table\n    table: item\n    columns:\n"
            + "      - {name: id, type: bigint, primary_key: true}\n"
            + "      - {name: name, type: text, nullable: false}\n");
    files.yaml(
        "lk000002",
        "lk000001",
        "  - op: add_column\n    table: item\n    column: {name: email, type: text, nullable:"
            + " false}\n    backfill: \"name || '@example.com'\"\n");
    try (Topology t = new Topology(dir, java.util.List.of("dev"))) {
      // A long lock timeout: the expand waits for the test's lock instead of retrying.
      Process agent = agent(t, "--lock-timeout", "60s");
      TestDatabase db = t.dbs.get("dev");
      PgConnection holder = null;
      try {
        String base =
            t.startRollout(
                new JsonObject().put("strategy", "per-environment").put("target", "lk000001"));
        assertEquals("succeeded", end(t, base).getString("state"), log());
        db.execute("INSERT INTO item SELECT g, 'n' || g FROM generate_series(1, 1000) g");
        holder = PgConnection.connect(t.vertx, PgConnectOptions.fromUri(db.url())).await();
        holder.query("BEGIN; LOCK TABLE item IN ACCESS SHARE MODE").execute().await();
        t.awaitHeads("lk000001");
        String id = t.startRollout(new JsonObject().put("contract_gate", "auto"));
        String waiting = Drills.AGENT_WORK + " AND wait_event_type = 'Lock'";
        Drills.await(
            "the agent's expand waits for the table's lock",
            MINUTE,
            () -> Drills.backend(db, waiting) != 0,
            this::log);
        int first = Drills.backend(db, waiting);
        Drills.terminate(db, first);
        // Resumed on a new connection: the same DDL waits again, in another backend.
        Drills.await(
            "the resumed expand waits for the lock on a new connection",
            MINUTE,
            () -> {
              int now = Drills.backend(db, waiting);
              return now != 0 && now != first;
            },
            () -> log() + "\n" + Drills.history(db));
        holder.query("COMMIT").execute().await();
        JsonObject r = end(t, id);
        assertEquals("succeeded", r.getString("state"), r.encodePrettily() + "\n" + log());
        assertEquals("lk000002", t.heads("dev"));
        assertEquals(
            1000, db.count("SELECT count(*) FROM item WHERE email = name || '@example.com'"));
        assertEquals(
            "NO",
            db.scalar(
                "SELECT is_nullable FROM information_schema.columns"
                    + " WHERE table_name = 'item' AND column_name = 'email'"));
        assertEquals(1, Drills.applied(db, "lk000002", "expand"), Drills.history(db));
        assertEquals(1, Drills.applied(db, "lk000002", "applied"), Drills.history(db));
        assertEquals(
            0,
            db.count("SELECT count(*) FROM convoy.history WHERE phase = 'undone'"),
            "nothing was undone and done again:\n" + Drills.history(db));
        assertEquals("", Drills.ledgerRepeats(db));
        Drills.assertNoStackTrace(logs.resolve("agent.log"));
      } finally {
        if (holder != null) {
          holder.close().await();
        }
        agent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  private static final int ROWS = 50_000;

  @Test
  void a_backfill_worker_terminated_mid_way_resumes_and_no_row_is_lost_or_filled_twice()
      throws Exception {
    BackfillDrill.migrations(dir);
    try (Topology t = new Topology(dir, java.util.List.of("dev"))) {
      // Paced so that the drill catches it mid-way; two workers, each on its own connection.
      Process agent = agent(t, "--max-rows-per-second", "8000", "--backfill-workers", "2");
      TestDatabase db = t.dbs.get("dev");
      try {
        BackfillDrill.seed(t, ROWS, this::log);
        String id = t.startRollout(new JsonObject().put("contract_gate", "auto"));
        BackfillDrill.awaitRows(db, ROWS / 5, this::log);
        // The newest of the phased connections is the second worker's; the first walks on the
        // revision's own connection, which stays up.
        int worker = Drills.backend(db, Drills.AGENT_PHASED);
        assertNotEquals(0, worker);
        Drills.terminate(db, worker);
        JsonObject r = end(t, id);
        assertEquals("succeeded", r.getString("state"), r.encodePrettily() + "\n" + log());
        BackfillDrill.assertFilledOnce(t, ROWS);
        Drills.assertNoStackTrace(logs.resolve("agent.log"));
      } finally {
        agent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }
}
