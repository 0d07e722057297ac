package dev.convoy.agent.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.convoy.agent.engine.EngineConfig;
import dev.convoy.agent.engine.MigrationListener;
import dev.convoy.agent.engine.MigrationResult;
import dev.convoy.agent.engine.Migrator;
import dev.convoy.agent.state.Who;
import dev.convoy.error.ConvoyException;
import dev.convoy.error.ErrorCode;
import dev.convoy.migration.MigrationDirectory;
import dev.convoy.testkit.MigrationFiles;
import dev.convoy.testkit.PrivatePostgres;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The blocking connection (pgjdbc) logs in the way production servers ask it to (cleartext, md5 and
 * SCRAM-SHA-256 passwords), against a server of the test's own that requires them, and keeps the
 * pipeline contract the revision runner relies on.
 */
class JdbcSessionTest {
  private static PrivatePostgres pg;

  @TempDir Path dir;

  @BeforeAll
  static void startServerThatRequiresPasswords() throws Exception {
    assumeTrue(PrivatePostgres.binaries().isPresent(), "PostgreSQL server binaries not installed");
    pg =
        PrivatePostgres.start(
            List.of(
                "host all plain_user 127.0.0.1/32 password",
                "host all md5_user 127.0.0.1/32 md5",
                "host all scram_user 127.0.0.1/32 scram-sha-256"));
    pg.psql(
        "SET password_encryption = 'md5';"
            + " CREATE ROLE md5_user LOGIN SUPERUSER PASSWORD 'md5-secret';"
            + " SET password_encryption = 'scram-sha-256';"
            + " CREATE ROLE scram_user LOGIN SUPERUSER PASSWORD 'scram-secret';"
            + " CREATE ROLE plain_user LOGIN PASSWORD 'plain-secret'");
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (pg != null) {
      pg.close();
    }
  }

  private DatabaseUrl url(String user, String password) {
    return new DatabaseUrl(
        "postgresql://" + user + ":" + password + "@127.0.0.1:" + pg.port() + "/postgres");
  }

  @Test
  void logs_in_with_cleartext_md5_and_scram_passwords_under_its_application_name() {
    for (String user : List.of("plain_user", "md5_user", "scram_user")) {
      String password = user.substring(0, user.indexOf('_')) + "-secret";
      try (TextSession s = JdbcSession.open(url(user, password), "convoy lock test")) {
        assertEquals(user, s.value("SELECT current_user"));
        assertEquals(
            "convoy lock test",
            s.value("SELECT application_name FROM pg_stat_activity WHERE pid = pg_backend_pid()"));
        assertEquals(Integer.toString(s.pid()), s.value("SELECT pg_backend_pid()::text"));
      }
    }
  }

  @Test
  void a_wrong_password_is_a_connection_error_that_says_why() {
    ConvoyException e =
        assertThrows(
            ConvoyException.class, () -> JdbcSession.open(url("scram_user", "nope"), "convoy"));
    assertEquals(ErrorCode.CONNECTION_FAILED, e.code());
    assertTrue(
        e.getMessage().contains("password authentication failed for user \"scram_user\""),
        e.getMessage());
    assertTrue(e.getMessage().contains("scram_user:***@"), e.getMessage());
    assertFalse(e.getMessage().contains("nope"), e.getMessage());
    assertEquals("28P01", TextSession.sqlState(e));
  }

  @Test
  void a_failing_query_names_its_sqlstate_and_the_connection_stays_usable() {
    try (TextSession s = JdbcSession.open(url("md5_user", "md5-secret"), "convoy")) {
      SqlError e = assertThrows(SqlError.class, () -> s.rows("SELECT 1/0"));
      assertEquals("22012", e.sqlState());
      assertTrue(e.getMessage().contains("division by zero"), e.getMessage());
      assertEquals("2", s.value("SELECT 1 + 1"));
    }
  }

  @Test
  void a_pipeline_names_the_first_failed_string_and_its_commit_rolls_back() {
    try (TextSession s = JdbcSession.open(url("scram_user", "scram-secret"), "convoy")) {
      s.execute("CREATE TABLE IF NOT EXISTS piped (id int PRIMARY KEY); TRUNCATE piped");
      long[] doneAt = new long[5];
      var failed =
          s.pipeline(
              List.of(
                  "BEGIN; SET LOCAL lock_timeout = '1s'",
                  "INSERT INTO piped VALUES (1)",
                  "INSERT INTO piped VALUES (1); INSERT INTO piped VALUES (2)",
                  "INSERT INTO piped VALUES (3)",
                  "COMMIT"),
              doneAt);
      assertEquals(2, failed.orElseThrow().index());
      assertEquals("23505", TextSession.sqlState(failed.get().error()));
      assertEquals("0", s.value("SELECT count(*)::text FROM piped"), "the COMMIT rolled back");
      for (int i = 1; i < doneAt.length; i++) {
        assertTrue(doneAt[i] >= doneAt[i - 1], "answers arrive in order");
      }
      assertTrue(s.pipeline(List.of("INSERT INTO piped VALUES (7)", "SELECT 1")).isEmpty());
      assertEquals(
          List.of("1", "7"),
          s.rows("SELECT 1::text; SELECT id::text FROM piped").stream().map(r -> r[0]).toList(),
          "rows of every statement of a string, in order");
    }
  }

  @Test
  void a_string_of_statements_runs_as_one_message_so_an_error_stops_it_and_undoes_it_whole() {
    try (TextSession s = JdbcSession.open(url("scram_user", "scram-secret"), "convoy")) {
      s.execute("DROP TABLE IF EXISTS one_a, one_b, one_c, one_d");
      // PostgreSQL runs one simple query message as one implicit transaction, up to its error.
      assertThrows(
          SqlError.class,
          () -> s.rows("CREATE TABLE one_a (id int); SELECT 1/0; CREATE TABLE one_b (id int)"));
      // With its own COMMIT, what follows a failure must still not run.
      assertThrows(
          SqlError.class,
          () ->
              s.rows(
                  "CREATE TABLE one_c (id int); COMMIT; SELECT 1/0; CREATE TABLE one_d (id int)"));
      assertEquals(
          List.of("one_c"),
          s
              .rows("SELECT relname::text FROM pg_class WHERE relname LIKE 'one\\_%' ORDER BY 1")
              .stream()
              .map(r -> r[0])
              .toList());
      var failed =
          s.pipeline(List.of("SELECT 1; SELECT 2", "SELECT 3; SELECT 1/0; SELECT 4", "SELECT 5"));
      assertEquals(1, failed.orElseThrow().index(), "the failed string, not the statement count");
    }
  }

  @Test
  void upgrade_runs_end_to_end_as_a_scram_user() {
    MigrationFiles files = new MigrationFiles(dir);
    files.sql("auth0001", null, "CREATE TABLE t (id int PRIMARY KEY);", "DROP TABLE t;");
    Vertx vertx = Vertx.vertx();
    try {
      EngineConfig config =
          new EngineConfig(
              url("scram_user", "scram-secret"), null, Duration.ofSeconds(2), Who.local());
      MigrationResult r =
          new Migrator(vertx, config, MigrationDirectory.load(dir), MigrationListener.SILENT)
              .upgrade("head");
      assertEquals(List.of("auth0001"), r.to());
    } finally {
      vertx.close().await();
    }
  }
}
