package dev.convoy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.testkit.Bouncer;
import dev.convoy.testkit.MigrationFiles;
import dev.convoy.testkit.TestDatabase;
import dev.convoy.testkit.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Convoy behind PgBouncer (started by the test on its own port), each command a child JVM as a user
 * runs it. In session pooling everything works: phased revisions, downgrade, and many instances
 * starting at once. In transaction or statement pooling the migration's session advisory lock would
 * not hold, so the command, and an agent at start, refuse with one line saying what to do, exit 2,
 * the database untouched.
 */
class ConnectionPoolerTest {
  private static final String NO_CONVOY_SCHEMA = "SELECT to_regnamespace('convoy') IS NULL";
  private static final String REDIS =
      System.getenv().getOrDefault("CONVOY_TEST_REDIS_URL", "redis://127.0.0.1:6379");

  @TempDir Path dir;
  @TempDir Path logs;

  /** What a child {@code convoy} printed (stdout and stderr) and its exit code. */
  record Ran(int exit, String output) {}

  private Ran convoy(String log, String... args) throws Exception {
    Process p = ChildConvoy.start(logs.resolve(log), Map.of(), args);
    boolean exited = p.waitFor(120, TimeUnit.SECONDS);
    if (!exited) {
      p.destroyForcibly().waitFor(60, TimeUnit.SECONDS);
    }
    String output = Files.readString(logs.resolve(log));
    assertTrue(exited, "convoy " + String.join(" ", args) + " did not exit:\n" + output);
    return new Ran(p.exitValue(), output);
  }

  /** A table with rows, a NOT NULL column added with a backfill, an index built concurrently. */
  private void phasedRevisions() {
    MigrationFiles files = new MigrationFiles(dir);
    files.sql(
        "auth0001",
        null,
        "CREATE TABLE author (id bigserial PRIMARY KEY, name text NOT NULL);"
            + " INSERT INTO author (name) SELECT 'a' || g FROM generate_series(1, 500) g;",
        "DROP TABLE author;");
    files.yaml(
        "mail0002",
        "auth0001",
        "  - op: add_column\n    table: author\n    column: {name: email, type: text, nullable: false}\n"
            + "    backfill: \"name || '@example.com'\"\n");
    files.yaml(
        "inde0003", "mail0002", "  - op: create_index\n    table: author\n    columns: [email]\n");
  }

  @Test
  void in_session_pooling_upgrade_applies_phased_revisions_and_downgrade_reverts_them()
      throws Exception {
    phasedRevisions();
    try (Bouncer bouncer = Bouncer.start("session");
        TestDatabase db = TestPostgres.createDatabase("pooler_session")) {
      String url = bouncer.url(db.name());
      Ran up = convoy("upgrade.log", "upgrade", "head", "--url", url, "--dir", dir.toString());
      assertEquals(0, up.exit(), up.output());
      assertTrue(up.output().contains("Upgraded from base to inde0003: 3 revisions"), up.output());
      assertEquals("inde0003", db.scalar("SELECT string_agg(revision, ',') FROM convoy.version"));
      assertEquals(
          500, db.count("SELECT count(*) FROM author WHERE email = name || '@example.com'"));
      assertEquals(
          "NO",
          db.scalar(
              "SELECT is_nullable FROM information_schema.columns"
                  + " WHERE table_name = 'author' AND column_name = 'email'"));
      assertEquals(
          1,
          db.count(
              "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid"
                  + " JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY (i.indkey)"
                  + " WHERE c.relname = 'author' AND a.attname = 'email' AND i.indisvalid"),
          "one valid index on author(email)");
      assertEquals(
          3,
          db.count(
              "SELECT count(DISTINCT revision) FROM convoy.history"
                  + " WHERE direction = 'upgrade' AND success"));

      Ran down =
          convoy(
              "downgrade.log",
              "downgrade",
              "base",
              "--allow-data-loss",
              "--url",
              url,
              "--dir",
              dir.toString());
      assertEquals(0, down.exit(), down.output());
      assertTrue(down.output().contains("Downgraded from inde0003 to base"), down.output());
      assertEquals("true", db.scalar("SELECT to_regclass('author') IS NULL"));
      assertEquals(0, db.count("SELECT count(*) FROM convoy.version"));
    }
  }

  @Test
  void in_session_pooling_eight_instances_starting_at_once_apply_every_revision_exactly_once()
      throws Exception {
    int instances = 8;
    int chain = 40;
    MigrationFiles files = new MigrationFiles(dir);
    files.chain(chain);
    files.yaml("inde0041", "r0040", "  - op: create_index\n    table: t0040\n    columns: [v]\n");
    try (Bouncer bouncer = Bouncer.start("session");
        TestDatabase db = TestPostgres.createDatabase("pooler_race")) {
      List<Process> processes = new ArrayList<>();
      for (int i = 0; i < instances; i++) {
        processes.add(
            ChildConvoy.start(
                logs.resolve("instance-" + i + ".log"),
                Map.of(),
                "upgrade",
                "head",
                "--url",
                bouncer.url(db.name()),
                "--dir",
                dir.toString()));
      }
      int applying = 0;
      int foundHead = 0;
      for (int i = 0; i < instances; i++) {
        assertTrue(processes.get(i).waitFor(120, TimeUnit.SECONDS), "instance " + i + " finished");
        String log = Files.readString(logs.resolve("instance-" + i + ".log"));
        assertEquals(0, processes.get(i).exitValue(), "instance " + i + " succeeded:\n" + log);
        if (log.contains("Upgraded from base to inde0041: " + (chain + 1) + " revisions")) {
          applying++;
        } else if (log.contains("Nothing to do: already at head (inde0041)")) {
          foundHead++;
        }
      }
      assertEquals(1, applying, "exactly one instance applied the revisions");
      assertEquals(instances - 1, foundHead, "the others ended with 'already at head'");
      assertEquals(
          chain + 1,
          db.count("SELECT count(*) FROM convoy.history WHERE direction = 'upgrade' AND success"),
          "one successful upgrade row per revision");
      assertEquals(
          chain + 1, db.count("SELECT count(DISTINCT revision) FROM convoy.history WHERE success"));
      StringBuilder rows = new StringBuilder("SELECT ");
      for (int i = 1; i <= chain; i++) {
        rows.append(i > 1 ? " + " : "").append(String.format("(SELECT count(*) FROM t%04d)", i));
      }
      assertEquals(chain, db.count(rows.toString()), "each revision's row inserted once");
      assertEquals(
          1,
          db.count(
              "SELECT count(*) FROM pg_indexes WHERE tablename = 't0040' AND indexdef LIKE '%(v)'"));
      assertEquals("inde0041", db.scalar("SELECT string_agg(revision, ',') FROM convoy.version"));
    }
  }

  @Test
  void in_session_pooling_a_lock_timeout_names_the_session_that_blocks_the_revision()
      throws Exception {
    MigrationFiles files = new MigrationFiles(dir);
    files.chain(1);
    files.sql(
        "r0002",
        "r0001",
        "ALTER TABLE t0001 ADD COLUMN extra int;",
        "ALTER TABLE t0001 DROP COLUMN extra;");
    files.yaml("inde0003", "r0002", "  - op: create_index\n    table: t0001\n    columns: [v]\n");
    files.yaml(
        "fill0004", "inde0003", "  - op: backfill\n    table: t0001\n    set: {v: \"'y'\"}\n");
    try (Bouncer bouncer = Bouncer.start("session");
        TestDatabase db = TestPostgres.createDatabase("pooler_blocker")) {
      ConvoyShell convoy = ConvoyShell.at(dir, bouncer.url(db.name()));
      convoy.run("upgrade", "r0001").exits(0);
      // Blockers are found by the server process of the blocked statement, which PgBouncer does
      // not announce: a plain revision (on the lock's connection), a phased one, a backfill.
      for (String[] blocked :
          List.of(
              new String[] {"r0002", "LOCK TABLE t0001 IN ACCESS SHARE MODE"},
              new String[] {"inde0003", "LOCK TABLE t0001 IN SHARE MODE"},
              new String[] {"fill0004", "SELECT * FROM t0001 FOR UPDATE"})) {
        try (Blocker blocker = new Blocker(db, blocked[1])) {
          convoy
              .run("upgrade", blocked[0], "--lock-timeout", "200ms", "--lock-retries", "1")
              .exits(1)
              .errContains("55P03", "pid " + blocker.pid(), "(pooler blocker)", blocked[1]);
        }
        convoy.run("upgrade", blocked[0]).exits(0);
      }
      assertEquals(1, db.count("SELECT count(*) FROM t0001 WHERE v = 'y'"));
    }
  }

  /** A direct session holding a table lock in an open transaction until closed. */
  private static final class Blocker implements AutoCloseable {
    private final io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    private final io.vertx.pgclient.PgConnection conn;

    Blocker(TestDatabase db, String sql) {
      conn =
          io.vertx.pgclient.PgConnection.connect(
                  vertx,
                  io.vertx.pgclient.PgConnectOptions.fromUri(db.url())
                      .addProperty("application_name", "pooler blocker"))
              .await();
      conn.query("BEGIN; " + sql).execute().await();
    }

    int pid() {
      return conn.processId();
    }

    @Override
    public void close() {
      conn.close().await();
      vertx.close().await();
    }
  }

  @Test
  void in_transaction_pooling_upgrade_refuses_in_one_line_and_changes_nothing() throws Exception {
    refusedThrough("transaction");
  }

  @Test
  void in_statement_pooling_upgrade_refuses_in_one_line_and_changes_nothing() throws Exception {
    refusedThrough("statement");
  }

  private void refusedThrough(String poolMode) throws Exception {
    phasedRevisions();
    try (Bouncer bouncer = Bouncer.start(poolMode);
        TestDatabase db = TestPostgres.createDatabase("pooler_" + poolMode)) {
      String url = bouncer.url(db.name());
      Ran up = convoy("upgrade.log", "upgrade", "head", "--url", url, "--dir", dir.toString());
      assertEquals(2, up.exit(), up.output());
      assertEquals(
          "error: the database URL "
              + url
              + " goes through a connection pooler in "
              + poolMode
              + " pooling mode (PgBouncer pool_mode="
              + poolMode
              + "): Convoy's migration lock and session settings would not hold. Point --url"
              + " (CONVOY_DATABASE_URL) for migrations at PostgreSQL directly or at a pool with"
              + " pool_mode=session. Nothing was changed.",
          up.output().strip());
      assertEquals("true", db.scalar(NO_CONVOY_SCHEMA), "no convoy schema created");
      assertEquals("true", db.scalar("SELECT to_regclass('author') IS NULL"), "nothing applied");
      // Every command that takes the migration lock refuses the same way.
      ConvoyShell convoy = ConvoyShell.at(dir, url);
      convoy.run("stamp", "head").exits(2).errContains(poolMode + " pooling mode");
      convoy.run("downgrade", "base").exits(2).errContains(poolMode + " pooling mode");
      assertEquals("true", db.scalar(NO_CONVOY_SCHEMA), "still no convoy schema");
    }
  }

  @Test
  void an_agent_given_a_transaction_pooling_url_refuses_at_start_in_one_line() throws Exception {
    phasedRevisions();
    try (Bouncer bouncer = Bouncer.start("transaction");
        TestDatabase db = TestPostgres.createDatabase("pooler_agent")) {
      Ran agent =
          convoy(
              "agent.log",
              "agent",
              "--env",
              "dev",
              "--url",
              bouncer.url(db.name()),
              "--redis",
              REDIS,
              "--namespace",
              "p" + UUID.randomUUID().toString().substring(0, 8),
              "--dir",
              dir.toString(),
              "--metrics-port",
              "0");
      assertEquals(2, agent.exit(), agent.output());
      List<String> errors = agent.output().strip().lines().toList();
      assertEquals(1, errors.size(), "one line:\n" + agent.output());
      assertTrue(errors.get(0).startsWith("error: the database URL "), agent.output());
      assertTrue(
          errors.get(0).contains("goes through a connection pooler in transaction pooling mode"),
          agent.output());
      assertTrue(errors.get(0).contains("pool_mode=session"), agent.output());
      assertFalse(agent.output().contains("\tat "), "no stack trace:\n" + agent.output());
      assertFalse(agent.output().contains("serving dev"), "the agent did not start");
      assertEquals("true", db.scalar(NO_CONVOY_SCHEMA), "no convoy schema created");
    }
  }
}
